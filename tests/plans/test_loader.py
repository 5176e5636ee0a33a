"""The loader accepts a whole, right plan and refuses a wrong one whole, saying where and why."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.plans.loader import (
    PlanError,
    load_plan_file,
    load_plan_text,
    plan_digest,
    plan_problems,
)
from bot.plans.schema import Deadline, Plan, Quota

from .conftest import FILE, VALID_PLAN, edit, refused
from .malformed import CASES, FARMERS, consult_when, malformed_text

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plans.md"


@pytest.mark.parametrize(
    ("replacements", "path", "words"), [pytest.param(r, p, w, id=i) for i, r, p, w in CASES]
)
def test_malformed_file_is_refused_with_key_path(replacements, path, words):
    problems = refused(malformed_text(replacements, path))
    prefix = f"{FILE}: {path}: " if path else f"{FILE}: "
    matching = [p for p in problems if p.startswith(prefix) and words in p]
    assert matching, f"no {prefix!r}…{words!r} in:\n" + "\n".join(problems)


def test_valid_plan_loads_whole(valid_text):
    plan = load_plan_text(valid_text, FILE)
    assert plan.id == "xa-thu"
    assert plan.plan.period.end == dt.date(2027, 12, 31)
    assert [d.id for d in plan.deadlines] == ["dang-ky", "bao-cao"]
    assert plan.deadlines[0].stage == "register"
    assert [q.per for q in plan.quotas] == ["year", "plan"]
    assert [c.id for c in plan.categories] == ["nong-dan", "thon"]
    assert plan.category("thon").consultees == ["police", "fatherland_front"]
    assert plan_problems(plan) == []


def test_doc_example_loads():
    """docs/plans.md is the contract: its complete example must load as written."""
    match = re.search(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert match is not None
    plan = load_plan_text(match[1], "example.toml")
    assert plan.id == "xa-mau-2026"
    # it shows the optional keys: a quota level, an owed_by array, a conditional consultation
    assert [q.level for q in plan.quotas] == [None, "commune"]
    assert plan.deadline("bao-cao-nam").owed_by_kinds == ["commune", "farmers_association"]
    village = plan.category("thon-nong-thon-moi")
    assert village.consult_when is not None
    assert village.needs_consultation({"xep-loai": {"value": "Thôn văn hóa"}})
    assert not village.needs_consultation({"xep-loai": {"value": "Thôn chưa đạt"}})


def test_several_problems_are_reported_together():
    text = edit(
        VALID_PLAN,
        ('document = "1/KH-UBND"\n', ""),  # missing key
        ("issued_on = 2026-01-10", 'issued_on = "2026-01-10"'),  # wrong type
        ('unit_kind = "commune"', 'unit_kind = "xa"'),  # unknown kind
        ("max = 5", "max = 1"),  # max < min
        ('category = "nong-dan"', 'category = "khuyen-hoc"'),  # unknown category
        ("  min = 100\n", ""),  # number without bounds
        ('cite = "Mục III.3.b"', 'cite = "Mục III.3.b"\n  lead = "police"'),  # misplaced key
        ('id = "thon"', 'id = "nong-dan"'),  # duplicate category
    )
    problems = refused(text)
    expected = [
        "plan.document: missing required key",
        "plan.issued_on: expected a date",
        "quota[0].unit_kind: unknown unit kind 'xa'",
        "quota[0].max: max 1 is below min 2",
        "quota[1].category: unknown category 'khuyen-hoc'",
        "category[0].criterion[0].min: a number criterion needs min or max",
        "category[1].criterion[1].lead: unknown key here",
        "category[1].id: duplicate category id 'nong-dan'",
    ]
    for fragment in expected:
        assert any(fragment in p for p in problems), f"{fragment!r} missing from {problems}"
    # Reported in file order, section by section.
    order = [next(i for i, p in enumerate(problems) if f in p) for f in expected]
    assert order == sorted(order)


def test_structural_error_does_not_hide_cross_checks_elsewhere():
    text = edit(
        VALID_PLAN,
        ('cite = "Mục III.2.b"', 'cite = "Mục III.2.b"\n  note = "x"'),  # breaks category[0]
        ("  min = 100\n", ""),  # …whose other problem is still found
        ("date = 2026-03-31", "date = 2028-01-01"),
    )
    problems = refused(text)
    assert any("category[0].criterion[1].note: unknown key" in p for p in problems)
    assert any("category[0].criterion[0].min: a number criterion needs min" in p for p in problems)
    assert any("deadline[0].date: 2028-01-01 is outside the period" in p for p in problems)


def test_no_false_alarm_from_a_malformed_category():
    """A quota naming a category that is itself malformed must not also be 'unknown'."""
    text = edit(VALID_PLAN, ('field = "a"', "field = 1"))
    problems = refused(text)
    assert problems == [f"{FILE}: category[1].field: expected a string in quotes, got an integer"]


def test_toml_error_reports_line_and_column():
    problems = refused(edit(VALID_PLAN, ("min = 2\n", "min = \n")))
    assert len(problems) == 1
    assert re.match(rf"{FILE}: line \d+, column \d+: TOML syntax error: ", problems[0])


def test_load_plan_file(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text("\ufeff" + VALID_PLAN, encoding="utf-8")  # a BOM, as Notepad writes it
    assert load_plan_file(path).id == "xa-thu"
    assert load_plan_file(str(path)).id == "xa-thu"


def test_load_plan_file_refuses_whole(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(edit(VALID_PLAN, ("max = 5", "max = 1")), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan_file(path)
    assert info.value.file == str(path)
    assert info.value.problems == [f"{path}: quota[0].max: max 1 is below min 2"]


def test_unreadable_files_are_plan_errors(tmp_path):
    with pytest.raises(PlanError, match="cannot read the file"):
        load_plan_file(tmp_path / "missing.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes("title = 'Thôn'".encode("cp1258"))
    with pytest.raises(PlanError, match="not UTF-8 text"):
        load_plan_file(latin)


def test_plan_digest_is_of_exact_text():
    assert plan_digest(VALID_PLAN) == plan_digest(str(VALID_PLAN))
    assert plan_digest(VALID_PLAN) != plan_digest(VALID_PLAN + "\n")
    assert re.fullmatch(r"[0-9a-f]{64}", plan_digest(VALID_PLAN))


@pytest.fixture
def plan() -> Plan:
    return load_plan_text(VALID_PLAN, FILE)


# -- quota levels, owed_by arrays, conditional consultation

#: VALID_PLAN with every key added in this round, each used as a plan writer would.
EXTENDED_PLAN = edit(
    VALID_PLAN,
    # the commune's own Farmers' Association, not a village branch
    (FARMERS, FARMERS + 'level = "commune"\n'),
    # a level given with its own administrative kind is redundant but right
    ('unit_kind = "commune"\n', 'unit_kind = "commune"\nlevel = "commune"\n'),
    # one report owed by the commune and its bodies
    ('owed_by = "commune"', 'owed_by = ["commune", "agency", "fatherland_front"]'),
    # the village is vetted only when rated Tốt
    consult_when('"xep-loai"', '["Tốt"]'),
)


@pytest.fixture
def extended() -> Plan:
    return load_plan_text(EXTENDED_PLAN, FILE)


def test_extended_plan_loads(extended):
    assert plan_problems(extended) == []
    commune, farmers = extended.quotas
    assert (commune.level, farmers.level) == ("commune", "commune")
    report = extended.deadline("bao-cao")
    assert report.owed_by == ["commune", "agency", "fatherland_front"]
    assert report.owed_by_kinds == ["commune", "agency", "fatherland_front"]
    when = extended.category("thon").consult_when
    assert when is not None
    assert (when.criterion, when.answers) == ("xep-loai", ["Tốt"])


def test_owed_by_string_still_accepted(plan):
    registration = plan.deadline("dang-ky")
    assert registration.owed_by == "village"
    assert registration.owed_by_kinds == ["village"]
    assert plan.quotas[0].level is None
    assert plan.category("thon").consult_when is None


def test_consult_when_may_name_a_general_choice_criterion():
    text = edit(
        VALID_PLAN,
        (
            '[[criterion]]\nid = "chap-hanh"',
            '[[criterion]]\nid = "doi-tuong"\ntext = "Đối tượng"\nkind = "choice"\n'
            'options = ["Trưởng thôn", "Người có uy tín", "Khác"]\n'
            'accept = ["Trưởng thôn", "Người có uy tín"]\ncite = "Mục III.1"\n\n'
            '[[criterion]]\nid = "chap-hanh"',
        ),
        consult_when('"doi-tuong"', '["Người có uy tín"]'),
    )
    category = load_plan_text(text, FILE).category("thon")
    assert category.needs_consultation({"doi-tuong": {"value": "Người có uy tín"}})
    assert not category.needs_consultation({"doi-tuong": {"value": "Trưởng thôn"}})


def test_consult_when_criterion_must_apply_in_the_category():
    text = edit(
        VALID_PLAN,
        (
            '[[criterion]]\nid = "chap-hanh"',
            '[[criterion]]\nid = "doi-tuong"\ntext = "Đối tượng"\nkind = "choice"\n'
            'options = ["Có", "Không"]\naccept = ["Có"]\nsubjects = ["household"]\n'
            'cite = "Mục III.1"\n\n[[criterion]]\nid = "chap-hanh"',
        ),
        consult_when('"doi-tuong"', '["Có"]'),
    )
    problems = refused(text)
    assert problems == [
        f"{FILE}: category[1].consult_when.criterion: criterion 'doi-tuong' applies to none of "
        "this category's subjects (collective)"
    ]


def test_consult_when_on_a_malformed_criterion_is_not_also_unknown():
    """The criterion is written but broken: report it once, where it is written."""
    text = edit(
        VALID_PLAN,
        consult_when('"xep-loai"', '["Tốt"]'),
        ('cite = "Mục III.3.a"', 'cite = "Mục III.3.a"\n  note = "x"'),
    )
    (problem,) = refused(text)
    assert problem.startswith(f"{FILE}: category[1].criterion[0].note: unknown key")


def test_new_problems_are_reported_together_in_file_order():
    text = edit(
        VALID_PLAN,
        ('owed_by = "commune"', 'owed_by = ["commune", "xa"]'),
        ('unit_kind = "commune"\n', 'unit_kind = "commune"\nlevel = "district"\n'),
        consult_when('"xep-loai"', '["Xuất sắc"]'),
    )
    problems = refused(text)
    expected = [
        "deadline[1].owed_by[1]: unknown unit kind 'xa'",
        "quota[0].level: unit_kind 'commune' is always at level 'commune'",
        "category[1].consult_when.answers[0]: 'Xuất sắc' is not one of the options",
    ]
    order = [next(i for i, p in enumerate(problems) if f in p) for f in expected]
    assert order == sorted(order)
    assert len(problems) == 3


@pytest.mark.parametrize(
    ("unit_kind", "unit_level", "expected"),
    [
        ("police", "district", True),
        ("police", "commune", False),  # a commune's police is not the district's
        ("police", None, False),  # no administrative ancestor: no level to match
        ("military", "district", False),  # another kind
    ],
)
def test_quota_applies_at_with_level(unit_kind, unit_level, expected):
    quota = Quota(unit_kind="police", level="district", min=5, max=7, cite="Mục IV.1")
    assert quota.applies_at(unit_kind, unit_level) is expected


@pytest.mark.parametrize(
    ("unit_kind", "unit_level", "expected"),
    [
        ("commune", "commune", True),
        ("ward", "commune", True),  # a level names every kind of that level
        ("township", "commune", True),
        ("district", "district", False),
        ("police", "commune", False),
    ],
)
def test_quota_applies_at_without_level(unit_kind, unit_level, expected):
    quota = Quota(unit_kind="commune", min=2, cite="Mục IV.1")
    assert quota.applies_at(unit_kind, unit_level) is expected
    levelled = Quota(unit_kind="commune", level="commune", min=2, cite="Mục IV.1")
    assert levelled.applies_at(unit_kind, unit_level) is expected


def test_deadline_owed_by_kinds_built_in_python():
    one = Deadline(id="x", title="X", yearly="01-01", owed_by="commune", cite="c")
    many = Deadline(id="x", title="X", yearly="01-01", owed_by=["commune", "agency"], cite="c")
    assert one.owed_by_kinds == ["commune"]
    assert many.owed_by_kinds == ["commune", "agency"]
    many.owed_by_kinds.append("police")  # a copy: the model stays as loaded
    assert many.owed_by == ["commune", "agency"]


def test_needs_consultation(plan, extended):
    # consultees without consult_when: always asked
    assert plan.category("thon").needs_consultation({}) is True
    # no consultees: never
    assert plan.category("nong-dan").needs_consultation({"xep-loai": {"value": "Tốt"}}) is False
    # consult_when: only for the listed answers
    thon = extended.category("thon")
    assert thon.needs_consultation({"xep-loai": {"value": "Tốt"}}) is True
    assert thon.needs_consultation({"xep-loai": {"value": "Khá"}}) is False
    assert thon.needs_consultation({"xep-loai": {}}) is False  # not answered yet
    assert thon.needs_consultation({}) is False
    assert thon.needs_consultation({"mo-ta": {"value": "Tốt"}}) is False  # another criterion
