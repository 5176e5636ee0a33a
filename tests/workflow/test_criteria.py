"""Judging answers against criteria: every kind, its bounds, and what blocks eligibility."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.dialogs.nomination.steps import years_asked
from bot.plans.schema import Criterion
from bot.workflow.criteria import Finding, Verdict, eligible, findings, judge, proof_files

MET, NOT_MET = Verdict.MET, Verdict.NOT_MET
AWAITING, UNANSWERED = Verdict.AWAITING_EVIDENCE, Verdict.UNANSWERED


def crit(kind: str, id: str = "c", required: bool = True, **extra: Any) -> Criterion:
    return Criterion(id=id, text="Tiêu chí", kind=kind, cite="Mục 1", required=required, **extra)


# --- attest ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ({"value": True}, MET),
        ({"value": False}, NOT_MET),
        ({"value": "yes"}, NOT_MET),  # only a real yes counts
        ({"value": 1}, NOT_MET),
        (None, UNANSWERED),
        ({}, UNANSWERED),
        ({"files_done": True}, UNANSWERED),  # something stored, but no value
    ],
)
def test_attest(answer: dict[str, Any] | None, verdict: Verdict) -> None:
    assert judge(crit("attest"), answer) is verdict


# --- evidence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "files", "verdict"),
    [
        ({"value": False}, 0, NOT_MET),
        ({"value": False}, 5, NOT_MET),  # files do not turn a "no" into a yes
        ({"value": True}, 0, AWAITING),
        ({"value": True}, 1, MET),
        ({"value": True, "files_done": True}, 0, AWAITING),  # "done" without a file
        (None, 3, UNANSWERED),
    ],
)
def test_evidence_default_one_file(
    answer: dict[str, Any] | None, files: int, verdict: Verdict
) -> None:
    assert judge(crit("evidence"), answer, files) is verdict


@pytest.mark.parametrize(("files", "verdict"), [(0, AWAITING), (2, AWAITING), (3, MET), (4, MET)])
def test_evidence_min_files(files: int, verdict: Verdict) -> None:
    assert judge(crit("evidence", min_files=3), {"value": True}, files) is verdict


# --- number ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "verdict"),
    [(99.99, NOT_MET), (100, MET), (100.0, MET), (250, MET), (-1, NOT_MET), (0, NOT_MET)],
)
def test_number_min_only(value: float, verdict: Verdict) -> None:
    assert judge(crit("number", min=100), {"value": value}) is verdict


@pytest.mark.parametrize(
    ("value", "verdict"), [(0, MET), (0.0, MET), (-2, MET), (0.5, NOT_MET), (1, NOT_MET)]
)
def test_number_max_only(value: float, verdict: Verdict) -> None:
    # "no household fell back into poverty": max = 0, as in the presets
    assert judge(crit("number", max=0), {"value": value}) is verdict


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        (4.99, NOT_MET),
        (5, MET),
        (6, MET),
        (7, MET),
        (7.01, NOT_MET),
    ],
)
def test_number_between_bounds_inclusive(value: float, verdict: Verdict) -> None:
    assert judge(crit("number", min=5, max=7), {"value": value}) is verdict


def test_number_without_bounds_is_met_by_any_value() -> None:
    assert judge(crit("number"), {"value": -1e9}) is MET
    assert judge(crit("number"), {}) is UNANSWERED


# --- years -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "verdict"),
    [
        ({}, UNANSWERED),
        ({"2025": True}, UNANSWERED),
        ({"2025": True, "2024": True}, UNANSWERED),
        ({"2025": True, "2024": False, "2023": True}, NOT_MET),
        ({"2025": False, "2024": False, "2023": False}, NOT_MET),
        ({"2025": True, "2024": True, "2023": True}, MET),
    ],
)
def test_years_three(held: dict[str, bool], verdict: Verdict) -> None:
    assert judge(crit("years", years=3), {"years": held}) is verdict


def test_years_one_and_missing_years_key() -> None:
    one = crit("years", years=1)
    assert judge(one, {"years": {"2025": True}}) is MET
    assert judge(one, {"years": {"2025": False}}) is NOT_MET
    assert judge(one, {"value": True}) is UNANSWERED  # a years answer is held per year
    assert judge(one, None) is UNANSWERED


def test_years_are_judged_on_the_years_asked_now() -> None:
    three = crit("years", years=3)
    asked = years_asked(three, date.today())  # what the wizard asks today, newest first
    last_years = {str(year - 1): True for year in asked}  # a draft answered a year ago
    assert judge(three, {"years": last_years}) is UNANSWERED  # asked[0] is still open
    stale_no = {**{str(year): True for year in asked}, str(asked[-1] - 1): False}
    assert judge(three, {"years": stale_no}) is MET  # a year no longer asked does not count


# --- choice ----------------------------------------------------------------------------------

OPTIONS = ["Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Không hoàn thành"]


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        ("Hoàn thành xuất sắc nhiệm vụ", MET),
        ("Hoàn thành tốt nhiệm vụ", NOT_MET),
        ("Không hoàn thành", NOT_MET),
        ("hoàn thành xuất sắc nhiệm vụ", NOT_MET),  # stored values are the exact option
        ("", NOT_MET),
    ],
)
def test_choice(value: str, verdict: Verdict) -> None:
    criterion = crit("choice", options=OPTIONS, accept=OPTIONS[:1])
    assert judge(criterion, {"value": value}) is verdict


def test_choice_with_several_accepted() -> None:
    criterion = crit("choice", options=OPTIONS, accept=OPTIONS[:2])
    assert judge(criterion, {"value": OPTIONS[1]}) is MET
    assert judge(criterion, {"value": OPTIONS[2]}) is NOT_MET


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "verdict"), [(19, NOT_MET), (20, MET), (50, MET), (51, NOT_MET)]
)
def test_text_length_bounds(length: int, verdict: Verdict) -> None:
    criterion = crit("text", min_length=20, max_length=50)
    assert judge(criterion, {"value": "x" * length}) is verdict


@pytest.mark.parametrize(
    ("length", "verdict"), [(0, NOT_MET), (1, MET), (1000, MET), (1001, NOT_MET)]
)
def test_text_default_bounds(length: int, verdict: Verdict) -> None:
    assert judge(crit("text"), {"value": "a" * length}) is verdict


# --- findings and eligibility ----------------------------------------------------------------


def test_findings_follow_criteria_order_and_count_files_per_criterion() -> None:
    criteria = [
        crit("attest", id="a"),
        crit("evidence", id="e", min_files=2),
        crit("number", id="n", min=1),
    ]
    answers = {"a": {"value": True}, "e": {"value": True}, "x": {"value": True}}
    found = findings(criteria, answers, {"e": 2, "a": 0})
    assert [(f.criterion.id, f.verdict) for f in found] == [
        ("a", MET),
        ("e", MET),
        ("n", UNANSWERED),
    ]
    found = findings(criteria, answers, {"a": 2})  # files of another criterion do not count
    assert found[1].verdict is AWAITING


@pytest.mark.parametrize("verdict", [NOT_MET, AWAITING, UNANSWERED])
def test_required_criterion_blocks_unless_met(verdict: Verdict) -> None:
    assert Finding(crit("attest"), verdict).blocks
    assert not Finding(crit("attest"), MET).blocks
    assert not Finding(crit("attest", required=False), verdict).blocks


def test_optional_criteria_do_not_block_eligibility() -> None:
    criteria = [
        crit("attest", id="must"),
        crit("attest", id="may", required=False),
        crit("evidence", id="may-files", required=False),
    ]
    answers = {"must": {"value": True}, "may": {"value": False}, "may-files": {"value": True}}
    found = findings(criteria, answers, {})
    assert [f.verdict for f in found] == [MET, NOT_MET, AWAITING]
    assert eligible(found)

    answers["must"] = {"value": False}
    assert not eligible(findings(criteria, answers, {}))
    del answers["must"]
    assert not eligible(findings(criteria, answers, {}))


def test_eligible_on_no_findings_and_all_met() -> None:
    assert eligible([])
    met = [Finding(crit("attest", id=f"a{i}"), MET) for i in range(3)]
    assert eligible(met)
    assert not eligible([*met, Finding(crit("evidence", id="e"), AWAITING)])


# --- one proof for several ---------------------------------------------------------------------


def test_files_prove_the_criteria_that_share_their_proof() -> None:
    award = crit("evidence", id="a", proof="giay-khen")
    effect = crit("evidence", id="b", proof="giay-khen")
    alone = crit("evidence", id="c")
    criteria = [award, effect, alone]
    counts = {"a": 1}
    assert [proof_files(c, criteria, counts) for c in criteria] == [1, 1, 0]
    answers = {c.id: {"value": True, "files_done": True} for c in criteria}
    verdicts = [f.verdict for f in findings(criteria, answers, counts)]
    assert verdicts == [MET, MET, AWAITING]
