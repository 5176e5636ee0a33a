"""The wizard's steps, derived from the draft alone: no database, plans from the presets."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.dialogs.nomination.cards import criterion_question
from bot.dialogs.nomination.steps import (
    Step,
    first_open,
    is_answered,
    next_step,
    position,
    previous_step,
    steps_for,
    years_asked,
)
from bot.i18n import use_locale
from bot.plans.loader import load_preset
from bot.plans.schema import Plan
from storage.models import Nomination

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def konray() -> Plan:  # three kinds of subject; 3-year titles; evidence
    return load_preset("konray-2023-2025")


@pytest.fixture(scope="module")
def kontum() -> Plan:  # individuals only
    return load_preset("kontum-44-2023")


def draft(subject: str | None = None, category: str | None = None, **fields: Any) -> Nomination:
    fields.setdefault("nominee", {})
    fields.setdefault("answers", {})
    return Nomination(subject_kind=subject, category_id=category, **fields)


def keys(nomination: Nomination, plan: Plan, skip_home: bool = False) -> list[str]:
    return [s.key for s in steps_for(nomination, plan, TODAY, skip_home)]


GENERAL_KONRAY = [  # a text criterion, then four yes/no criteria that open a group
    "c:thanh-tich-tieu-bieu",
    "c:dan-dau-phong-trao",
    "c:chap-hanh-chu-truong",
    "c:tuong-than-tuong-ai",
    "c:nhan-dao-tu-thien",
]
INDIVIDUAL_FIELDS = [
    "f:name",
    "f:sex",
    "f:birth_year",
    "f:ethnicity",
    "f:position",
    "f:home",
    "f:phone",
]


# --- the list of steps -----------------------------------------------------------------------


def test_individual_steps_in_full(konray: Plan) -> None:
    nomination = draft("individual", "can-bo-cong-chuc-vien-chuc")
    got = keys(nomination, konray)
    assert got == [
        "kind",
        "category",
        "consent",
        *INDIVIDUAL_FIELDS,
        "achievements",
        GENERAL_KONRAY[0],
        "g:dan-dau-phong-trao:7",  # seven yes/no criteria on one screen ...
        *GENERAL_KONRAY[1:],  # ... each still a step, to go through one by one
        "c:cb-trach-nhiem",
        "c:cb-guong-mau",
        "c:cb-thi-dua",
        "y:cb-htxs-hang-nam:2025:3",  # one question for its three years, newest 2025
        "summary",
    ]
    # The count holds what everyone is asked: the group, not its criteria one by one.
    counted = [s.key for s in steps_for(nomination, konray, TODAY, False) if s.counted]
    assert counted == [*got[:12], "g:dan-dau-phong-trao:7", got[-2], "summary"]


def test_the_same_draft_asks_other_years_in_a_new_year(konray: Plan) -> None:
    nomination = draft("individual", "can-bo-cong-chuc-vien-chuc")
    this_year = [s for s in steps_for(nomination, konray, date(2026, 12, 31), False)]
    next_year = [s for s in steps_for(nomination, konray, date(2027, 1, 1), False)]
    [asked_now] = [s for s in this_year if s.prefix == "y"]
    [asked_later] = [s for s in next_year if s.prefix == "y"]
    assert (asked_now.years, asked_later.years) == ([2025, 2024, 2023], [2026, 2025, 2024])
    # Answered in 2026, the same draft is asked again in 2027 for the year it lacks.
    nomination.answers = {"cb-htxs-hang-nam": {"years": {"2025": True, "2024": True, "2023": True}}}
    assert is_answered(asked_now, nomination) and not is_answered(asked_later, nomination)
    with use_locale("vi"):
        question = criterion_question(
            konray.criterion("cb-htxs-hang-nam"), konray, asked_later, date(2027, 1, 1)
        )
    assert "2024, 2025, 2026" in question


def test_without_subject_kind_only_the_opening_steps(konray: Plan) -> None:
    got = keys(draft(), konray)
    assert got == ["kind", "category", "consent", *INDIVIDUAL_FIELDS, "achievements", "summary"]


def test_household_with_one_category_skips_category_and_collective_criteria(
    konray: Plan,
) -> None:
    got = keys(draft("household", "vi-nguoi-ngheo"), konray)
    assert got[:8] == [
        "kind",
        "consent",
        "f:name",
        "f:ethnicity",
        "f:home",
        "f:address",
        "f:phone",
        "achievements",
    ]
    assert got[8:14] == [GENERAL_KONRAY[0], "g:dan-dau-phong-trao:7", *GENERAL_KONRAY[1:]]
    own = got[14:]
    assert "c:vnn-dong-gop" not in own  # that criterion is for collectives only
    assert own == [
        "c:vnn-tich-cuc-lao-dong",
        "c:vnn-ap-dung-khkt",
        "c:vnn-thu-nhap-cao-nhat",
        "e:vnn-thu-nhap-cao-nhat",  # its files, asked after a "yes"
        "y:vnn-gia-dinh-van-hoa:2025:3",  # a years question ends the group
        "g:vnn-hoat-dong-xa-hoi:2",
        "c:vnn-hoat-dong-xa-hoi",
        "c:vnn-chap-hanh",
        "summary",
    ]


def test_collective_fields(konray: Plan) -> None:
    got = keys(draft("collective", "pho-bien-giao-duc-phap-luat"), konray)
    assert got[: got.index("achievements")] == [
        "kind",
        "category",
        "consent",
        "f:name",
        "f:head",
        "f:members",
        "f:home",
    ]
    assert got[-3:] == ["c:pbgdpl-thanh-tich", "e:pbgdpl-thanh-tich", "summary"]


def test_plan_with_one_subject_kind_asks_no_kind(kontum: Plan) -> None:
    got = keys(draft("individual", "cong-tac-hoc-tap"), kontum)
    assert got[:2] == ["category", "consent"]
    assert "kind" not in got


def test_skip_home_drops_only_the_home_step(konray: Plan) -> None:
    nomination = draft("individual", "can-bo-cong-chuc-vien-chuc")
    full, skipped = keys(nomination, konray), keys(nomination, konray, skip_home=True)
    assert "f:home" in full and "f:home" not in skipped
    assert [k for k in full if k != "f:home"] == skipped


def test_unknown_category_gives_no_criteria(konray: Plan) -> None:
    got = keys(draft("individual", "no-such-category"), konray)
    assert got[-2:] == ["achievements", "summary"]
    # a category that does not take the subject gives none either
    got = keys(draft("household", "can-bo-cong-chuc-vien-chuc"), konray)
    assert not [k for k in got if k.startswith(("c:", "y:"))]


@pytest.mark.parametrize(
    ("answer", "asked"),
    [
        (None, False),
        ({"value": False}, False),
        ({"value": True}, True),
        ({"value": True, "files_done": True}, False),
    ],
)
def test_evidence_files_are_asked_only_after_yes(
    konray: Plan, answer: dict[str, Any] | None, asked: bool
) -> None:
    """The proof step is always in the list, uncounted, and open only after a "yes"."""
    answers = {} if answer is None else {"nld-sang-kien": answer}
    nomination = draft("individual", "nguoi-lao-dong-nguoi-tot-viec-tot", answers=answers)
    steps = steps_for(nomination, konray, TODAY, False)
    got = [s.key for s in steps]
    assert got[got.index("c:nld-sang-kien") + 1] == "e:nld-sang-kien"
    [proof] = [s for s in steps if s.key == "e:nld-sang-kien"]
    assert not proof.counted
    assert is_answered(proof, nomination) is not asked


def test_the_count_does_not_change_with_answers(konray: Plan) -> None:
    nomination = draft("individual", "nguoi-lao-dong-nguoi-tot-viec-tot")
    before = position(steps_for(nomination, konray, TODAY, False), "summary")
    nomination.answers = {"nld-sang-kien": {"value": True}}
    steps = steps_for(nomination, konray, TODAY, False)
    assert position(steps, "summary") == before
    # A proof step has the number of the step that asked for it.
    keys_ = [s.key for s in steps]
    owner = next(s.key for s in reversed(steps[: keys_.index("e:nld-sang-kien")]) if s.counted)
    assert position(steps, "e:nld-sang-kien") == position(steps, owner)


def test_years_asked_are_the_last_full_years(konray: Plan) -> None:
    three = konray.criterion("cb-htxs-hang-nam")
    assert years_asked(three, date(2026, 6, 1)) == [2025, 2024, 2023]
    assert years_asked(three, date(2026, 12, 31)) == [2025, 2024, 2023]
    assert years_asked(three, date(2027, 1, 1)) == [2026, 2025, 2024]
    one = load_preset("dakdoa-101-2021").criterion("nld-gia-dinh-van-hoa")
    assert years_asked(one, TODAY) == [2025]


def test_step_parts() -> None:
    years = Step("y:cb-htxs-hang-nam:2025:3")
    assert (years.prefix, years.arg, years.years) == ("y", "cb-htxs-hang-nam", [2025, 2024, 2023])
    assert (Step("f:birth_year").prefix, Step("f:birth_year").arg) == ("f", "birth_year")
    assert (Step("e:nld-sang-kien").prefix, Step("e:nld-sang-kien").arg) == ("e", "nld-sang-kien")
    assert (Step("summary").prefix, Step("summary").arg) == ("summary", "")


# --- what counts as answered -----------------------------------------------------------------


def test_is_answered_for_each_kind_of_step() -> None:
    empty = draft()
    for key in ("kind", "category", "consent", "f:name", "f:home", "achievements", "summary"):
        assert not is_answered(Step(key), empty), key

    full = draft(
        "individual",
        "cat",
        consent_at=datetime(2026, 5, 1, tzinfo=UTC),
        nominee={"name": "Y Hoa", "phone": None},
        nominee_unit_id=7,
        achievements="Đi đầu trong phong trào",
        answers={
            "a": {"value": False},  # answered, even though "no"
            "y3": {"years": {"2025": True, "2024": False}},
            "e": {"value": True, "files_done": True},
            "e2": {"value": True},
        },
    )
    for key in ("kind", "category", "consent", "f:name", "f:phone", "f:home", "achievements"):
        assert is_answered(Step(key), full), key
    assert not is_answered(Step("f:sex"), full)  # a field never asked
    assert is_answered(Step("c:a"), full)
    assert not is_answered(Step("c:b"), full)
    assert is_answered(Step("y:y3:2025:2"), full)  # both years answered, one "no"
    assert not is_answered(Step("y:y3:2025:3"), full)  # 2023 not answered yet
    assert is_answered(Step("c:e"), full) and is_answered(Step("e:e"), full)
    assert is_answered(Step("c:e2"), full) and not is_answered(Step("e:e2"), full)
    assert not is_answered(Step("summary"), full)


def test_achievements_answered_by_a_voice_note() -> None:
    assert is_answered(Step("achievements"), draft(nominee={"voice_note": "file-1"}))
    assert not is_answered(Step("achievements"), draft(achievements=""))


# --- moving through the steps ----------------------------------------------------------------


def test_next_step_skips_answered_steps(konray: Plan) -> None:
    nomination = draft("individual", "can-bo-cong-chuc-vien-chuc")
    steps = steps_for(nomination, konray, TODAY, skip_home=False)
    assert first_open(steps, nomination).key == "consent"  # kind and category are set
    assert next_step(steps, None, nomination).key == "consent"

    nomination.consent_at = datetime(2026, 5, 1, tzinfo=UTC)
    nomination.nominee = {"name": "A Thút", "sex": "male", "ethnicity": "Xơ Đăng"}
    assert next_step(steps, "consent", nomination).key == "f:birth_year"
    assert next_step(steps, "f:name", nomination).key == "f:birth_year"
    assert next_step(steps, "f:birth_year", nomination).key == "f:position"  # ethnicity done

    # A years question partly answered (a draft from before it was one question) is asked again.
    nomination.answers = {"cb-htxs-hang-nam": {"years": {"2025": True}}}
    assert next_step(steps, "c:cb-thi-dua", nomination).key == "y:cb-htxs-hang-nam:2025:3"


def test_next_step_falls_back_to_the_summary(konray: Plan) -> None:
    nomination = draft(
        "individual",
        "can-bo-cong-chuc-vien-chuc",
        answers={
            "cb-trach-nhiem": {"value": True},
            "cb-guong-mau": {"value": True},
            "cb-thi-dua": {"value": True},
            "cb-htxs-hang-nam": {"years": {"2025": True, "2024": True, "2023": True}},
        },
    )
    steps = steps_for(nomination, konray, TODAY, skip_home=False)
    assert next_step(steps, "c:cb-guong-mau", nomination).key == "summary"
    assert next_step(steps, "summary", nomination).key == "summary"
    # only what comes after the current step is looked at
    assert next_step(steps, "achievements", nomination).key == "c:thanh-tich-tieu-bieu"
    assert next_step(steps, "unknown-step", nomination).key == "consent"


def test_next_step_waits_for_files_after_a_yes(konray: Plan) -> None:
    nomination = draft(
        "individual",
        "nguoi-lao-dong-nguoi-tot-viec-tot",
        answers={"nld-sang-kien": {"value": True}, "nld-doan-ket-tuong-tro": {"value": True}},
    )
    steps = steps_for(nomination, konray, TODAY, skip_home=False)
    # the yes is answered; its files are not
    assert next_step(steps, "c:nld-ky-luat-sang-tao", nomination).key == "e:nld-sang-kien"
    assert next_step(steps, "c:nld-sang-kien", nomination).key == "e:nld-sang-kien"
    nomination.answers = {
        **nomination.answers,
        "nld-sang-kien": {"value": True, "files_done": True},
    }
    assert next_step(steps, "c:nld-ky-luat-sang-tao", nomination).key == "c:nld-cach-lam-hay"


def test_previous_step(konray: Plan) -> None:
    nomination = draft("individual", "can-bo-cong-chuc-vien-chuc")
    steps = steps_for(nomination, konray, TODAY, skip_home=True)

    def back(key: str | None) -> str | None:
        step = previous_step(steps, key)
        return None if step is None else step.key

    assert back("kind") is None
    assert back("category") == "kind"
    assert back("f:phone") == "f:position"  # home skipped
    assert back("achievements") == "f:phone"
    # Back from after a group goes to the group's screen, not to its last criterion alone ...
    assert back("y:cb-htxs-hang-nam:2025:3") == "g:dan-dau-phong-trao:7"
    # ... and one by one, from one criterion to the one before.
    assert back("c:cb-thi-dua") == "c:cb-guong-mau"
    assert back("c:dan-dau-phong-trao") == "g:dan-dau-phong-trao:7"
    assert back("summary") == "y:cb-htxs-hang-nam:2025:3"
    assert back("f:home") is None  # not a step of this draft
    assert back(None) is None
