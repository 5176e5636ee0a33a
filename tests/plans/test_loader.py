"""The loader accepts a whole, right plan and refuses a wrong one whole, saying where and why."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.plans import loader
from bot.plans.fields import CRITERION_KINDS, SUBJECT_KINDS
from bot.plans.loader import (
    PlanError,
    load_plan_file,
    load_plan_text,
    load_preset,
    load_presets,
    plan_digest,
    plan_problems,
    preset_paths,
)
from bot.plans.schema import Deadline, Plan, Quota

from .conftest import FILE, VALID_PLAN, edit, refused

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plans.md"

# The second quota's first line, to add keys after.
_FARMERS = 'unit_kind = "farmers_association"\n'


def _when(criterion: str, answers: str) -> tuple[str, str]:
    """A replacement giving category[1] ('thon') a consult_when."""
    return (
        'consult_cite = "Mục IV.5"\n',
        f'consult_cite = "Mục IV.5"\nconsult_when = {{ criterion = {criterion}, '
        f"answers = {answers} }}\n",
    )


# (case id, replacements applied to VALID_PLAN, key path, words the message must contain)
CASES = [
    # TOML itself
    (
        "toml-syntax",
        [('id = "xa-thu"', 'id = "xa-thu')],
        "line 2, column 13",
        "TOML syntax error: illegal character",
    ),
    (
        "toml-duplicate-key",
        [('source = "thu.pdf"', 'source = "thu.pdf"\nsource = "x"')],
        "line 14, column 13",
        "TOML syntax error: cannot overwrite a value",
    ),
    # unknown keys at several depths
    (
        "unknown-top",
        [
            (
                'source = "thu.pdf"\ncite = "Mục IV"\n',
                'source = "thu.pdf"\ncite = "Mục IV"\n\n[extra]\nx = 1\n',
            )
        ],
        "extra",
        "unknown key",
    ),
    (
        "unknown-plan",
        [("document = ", 'titel = "x"\ndocument = ')],
        "plan.titel",
        "unknown key (did you mean 'title'?)",
    ),
    (
        "unknown-period",
        [("end = 2027-12-31 }", "end = 2027-12-31, stop = 2027-01-01 }")],
        "plan.period.stop",
        "unknown key",
    ),
    (
        "unknown-quota",
        [('category = "nong-dan"', 'categori = "nong-dan"')],
        "quota[1].categori",
        "did you mean 'category'?",
    ),
    (
        "unknown-category-criterion",
        [('cite = "Mục III.2.a"', 'cite = "Mục III.2.a"\n  note = "x"')],
        "category[0].criterion[0].note",
        "unknown key",
    ),
    (
        "key-below-wrong-header",
        [('cite = "Mục III.3.b"', 'cite = "Mục III.3.b"\n  lead = "police"')],
        "category[1].criterion[1].lead",
        "is a key of category[1]",
    ),
    # missing keys
    (
        "missing-plan-key",
        [('document = "1/KH-UBND"\n', "")],
        "plan.document",
        "missing required key",
    ),
    (
        "missing-quota-cite",
        [('per = "year"\ncite = "Mục IV.3"\n', 'per = "year"\n')],
        "quota[0].cite",
        "missing required key",
    ),
    (
        "missing-criterion-kind",
        [('kind = "attest"\n', "")],
        "criterion[0].kind",
        "missing required key",
    ),
    # wrong types
    (
        "date-as-string",
        [("issued_on = 2026-01-10", 'issued_on = "2026-01-10"')],
        "plan.issued_on",
        "expected a date",
    ),
    ("int-as-string", [("min = 2\n", 'min = "2"\n')], "quota[0].min", "expected a whole number"),
    ("float-as-quota", [("min = 2\n", "min = 2.5\n")], "quota[0].min", "expected a whole number"),
    (
        "bool-as-string",
        [("required = false", 'required = "no"')],
        "category[0].criterion[1].required",
        "expected true or false",
    ),
    (
        "string-for-array",
        [('review_chain = ["commune", "district"]', 'review_chain = "commune"')],
        "plan.review_chain",
        "expected an array",
    ),
    (
        "bad-kind",
        [('kind = "attest"', 'kind = "yesno"')],
        "criterion[0].kind",
        "expected one of attest, evidence, number, years, choice, text",
    ),
    (
        "bad-subject",
        [('subjects = ["household"]', 'subjects = ["family"]')],
        "criterion[1].subjects[0]",
        "expected one of individual, household, collective",
    ),
    (
        "bad-stage",
        [('stage = "report"', 'stage = "reports"')],
        "deadline[1].stage",
        "expected one of register, propose, review, report, honour",
    ),
    ("bad-per", [('per = "year"', 'per = "month"')], "quota[0].per", "expected one of plan, year"),
    (
        "empty-title",
        [('title = "Thôn tiêu biểu"', 'title = " "')],
        "category[1].title",
        "must not be empty",
    ),
    (
        "honour-zero",
        [("honour_every_years = 2", "honour_every_years = 0")],
        "plan.honour_every_years",
        "must be at least 1",
    ),
    ("no-categories", [], "", ""),  # placeholder replaced below
    # ids
    (
        "bad-id",
        [('id = "nong-dan"', 'id = "Nong Dan"')],
        "category[0].id",
        "malformed id 'Nong Dan'",
    ),
    (
        "duplicate-category",
        [('id = "thon"', 'id = "nong-dan"')],
        "category[1].id",
        "duplicate category id 'nong-dan' (also category[0])",
    ),
    (
        "duplicate-criterion",
        [('id = "thu-nhap"', 'id = "chap-hanh"')],
        "category[0].criterion[0].id",
        "duplicate criterion id 'chap-hanh' (also criterion[0])",
    ),
    (
        "duplicate-deadline",
        [('id = "bao-cao"', 'id = "dang-ky"')],
        "deadline[1].id",
        "duplicate deadline id 'dang-ky'",
    ),
    # unit kinds
    (
        "unknown-kind-quota",
        [('unit_kind = "commune"', 'unit_kind = "xa"')],
        "quota[0].unit_kind",
        "unknown unit kind 'xa' (levels are province, district, commune, village",
    ),
    (
        "unknown-kind-deadline",
        [('owed_by = "village"', 'owed_by = "vilage"')],
        "deadline[0].owed_by",
        "unknown unit kind 'vilage' (did you mean 'village'?)",
    ),
    (
        "unknown-kind-chain",
        [('["commune", "district"]', '["commune", "huyen"]')],
        "plan.review_chain[1]",
        "unknown unit kind 'huyen'",
    ),
    (
        "unknown-kind-lead",
        [('lead = "farmers_association"', 'lead = "farmers"')],
        "category[0].lead",
        "unknown unit kind 'farmers'",
    ),
    (
        "unknown-kind-consultee",
        [('["police", "fatherland_front"]', '["police", "front"]')],
        "category[1].consultees[1]",
        "unknown unit kind 'front'",
    ),
    (
        "unknown-kind-review-body",
        [("review_bodies = { district", "review_bodies = { huyen")],
        "plan.review_bodies.huyen",
        "unknown unit kind 'huyen'",
    ),
    (
        "review-chain-repeat",
        [('["commune", "district"]', '["commune", "district", "commune"]')],
        "plan.review_chain[2]",
        "'commune' is listed twice",
    ),
    (
        "review-body-off-chain",
        [("review_bodies = { district", "review_bodies = { province")],
        "plan.review_bodies.province",
        "not in review_chain",
    ),
    # quotas
    (
        "quota-unknown-category",
        [('category = "nong-dan"', 'category = "khuyen-hoc"')],
        "quota[1].category",
        "unknown category 'khuyen-hoc' (known: nong-dan, thon)",
    ),
    ("quota-max-below-min", [("max = 5", "max = 1")], "quota[0].max", "max 1 is below min 2"),
    (
        "quota-subject-not-in-category",
        [('subjects = ["individual"]\nmin = 1', 'subjects = ["collective"]\nmin = 1')],
        "quota[1].subjects[0]",
        "category 'nong-dan' does not take 'collective'",
    ),
    # dates
    (
        "date-after-period",
        [("date = 2026-03-31", "date = 2028-01-01")],
        "deadline[0].date",
        "2028-01-01 is outside the period 2026-01-01 – 2027-12-31",
    ),
    (
        "date-before-period",
        [("date = 2026-03-31", "date = 2025-12-31")],
        "deadline[0].date",
        "outside the period",
    ),
    (
        "yearly-no-such-day",
        [('yearly = "12-15"', 'yearly = "02-30"')],
        "deadline[1].yearly",
        "no such day: '02-30'",
    ),
    (
        "yearly-feb-29",
        [('yearly = "12-15"', 'yearly = "02-29"')],
        "deadline[1].yearly",
        "does not occur every year",
    ),
    (
        "yearly-format",
        [('yearly = "12-15"', 'yearly = "15/12"')],
        "deadline[1].yearly",
        'expected "MM-DD"',
    ),
    (
        "deadline-both",
        [('yearly = "12-15"', 'yearly = "12-15"\ndate = 2026-12-15')],
        "deadline[1].yearly",
        "give date or yearly, not both",
    ),
    ("deadline-neither", [('yearly = "12-15"\n', "")], "deadline[1]", "needs date"),
    (
        "end-before-start",
        [("end = 2027-12-31", "end = 2025-12-31")],
        "plan.period.end",
        "2025-12-31 is before period.start 2026-01-01",
    ),
    (
        "issued-after-end",
        [("issued_on = 2026-01-10", "issued_on = 2028-01-10")],
        "plan.issued_on",
        "is after period.end",
    ),
    (
        "effective-before-issued",
        [("effective_on = 2026-01-15", "effective_on = 2026-01-01")],
        "plan.effective_on",
        "is before issued_on",
    ),
    # criteria by kind
    (
        "number-without-bounds",
        [("  min = 100\n", "")],
        "category[0].criterion[0].min",
        "a number criterion needs min or max",
    ),
    (
        "number-max-below-min",
        [("  min = 100\n", "  min = 100\n  max = 50\n")],
        "category[0].criterion[0].max",
        "max 50 is below min 100",
    ),
    (
        "options-on-attest",
        [('kind = "attest"', 'kind = "attest"\noptions = ["a", "b"]')],
        "criterion[0].options",
        "'options' is for choice criteria, not attest",
    ),
    (
        "proof-on-attest",
        [('kind = "attest"', 'kind = "attest"\nproof = "giay-khen"')],
        "criterion[0].proof",
        "'proof' is for evidence criteria, not attest",
    ),
    (
        "unit-on-years",
        [("years = 3", 'years = 3\nunit = "năm"')],
        "criterion[1].unit",
        "'unit' is for number criteria, not years",
    ),
    (
        "years-without-title",
        [('title = "Gia đình văn hóa"\n', "")],
        "criterion[1].title",
        "a years criterion needs title",
    ),
    (
        "years-without-years",
        [("years = 3\n", "")],
        "criterion[1].years",
        "a years criterion needs years",
    ),
    (
        "accept-not-subset",
        [('accept = ["Tốt", "Khá"]', 'accept = ["Tốt", "Xuất sắc"]')],
        "category[1].criterion[0].accept[1]",
        "'Xuất sắc' is not one of the options",
    ),
    (
        "choice-one-option",
        [
            ('options = ["Tốt", "Khá", "Trung bình"]', 'options = ["Tốt"]'),
            ('accept = ["Tốt", "Khá"]', 'accept = ["Tốt"]'),
        ],
        "category[1].criterion[0].options",
        "at least 2 options",
    ),
    (
        "choice-without-accept",
        [('  accept = ["Tốt", "Khá"]\n', "")],
        "category[1].criterion[0].accept",
        "a choice criterion needs accept",
    ),
    (
        "text-max-below-min",
        [("max_length = 500", "max_length = 10")],
        "category[1].criterion[1].max_length",
        "max_length 10 is below min_length 20",
    ),
    (
        "criterion-subject-not-in-category",
        [('subjects = ["individual"]\n  required', 'subjects = ["collective"]\n  required')],
        "category[0].criterion[1].subjects[0]",
        "category 'nong-dan' does not take 'collective'",
    ),
    (
        "subject-without-criterion",
        [
            ('kind = "attest"', 'kind = "attest"\nsubjects = ["individual"]'),
            ('subjects = ["household"]', 'subjects = ["individual"]'),
            ('unit = "%"', 'unit = "%"\n  subjects = ["individual"]'),
        ],
        "category[0].subjects[1]",
        "no criterion applies to 'household' in this category",
    ),
    # quota levels
    (
        "quota-level-unknown",
        [(_FARMERS, _FARMERS + 'level = "huyen"\n')],
        "quota[1].level",
        "unknown level 'huyen' (levels are province, district, commune, village)",
    ),
    (
        "quota-level-typo",
        [(_FARMERS, _FARMERS + 'level = "distric"\n')],
        "quota[1].level",
        "unknown level 'distric' (did you mean 'district'?)",
    ),
    (
        "quota-level-is-a-kind",
        [(_FARMERS, _FARMERS + 'level = "ward"\n')],
        "quota[1].level",
        "unknown level 'ward' ('ward' is a kind of unit; its level is 'commune')",
    ),
    (
        "quota-level-not-a-string",
        [(_FARMERS, _FARMERS + "level = 2\n")],
        "quota[1].level",
        "expected a string in quotes, got an integer",
    ),
    (
        "quota-level-of-another-admin-kind",
        [('unit_kind = "commune"\n', 'unit_kind = "commune"\nlevel = "district"\n')],
        "quota[0].level",
        "unit_kind 'commune' is always at level 'commune', so no unit is at level 'district'",
    ),
    (
        "quota-level-of-a-precise-admin-kind",
        [('unit_kind = "commune"\n', 'unit_kind = "ward"\nlevel = "village"\n')],
        "quota[0].level",
        "unit_kind 'ward' is always at level 'commune'",
    ),
    # owed_by as an array
    (
        "owed-by-array-unknown-kind",
        [('owed_by = "commune"', 'owed_by = ["commune", "xa"]')],
        "deadline[1].owed_by[1]",
        "unknown unit kind 'xa'",
    ),
    (
        "owed-by-array-repeat",
        [('owed_by = "commune"', 'owed_by = ["commune", "agency", "commune"]')],
        "deadline[1].owed_by[2]",
        "unit kind 'commune' is listed twice",
    ),
    (
        "owed-by-empty-array",
        [('owed_by = "commune"', "owed_by = []")],
        "deadline[1].owed_by",
        "needs at least 1 item",
    ),
    (
        "owed-by-not-a-string",
        [('owed_by = "commune"', "owed_by = 1")],
        "deadline[1].owed_by",
        "expected a string in quotes or an array of strings, got an integer",
    ),
    (
        "owed-by-array-item-not-a-string",
        [('owed_by = "commune"', 'owed_by = ["commune", 1]')],
        "deadline[1].owed_by[1]",
        "expected a string in quotes, got an integer",
    ),
    # categories
    (
        "consultees-without-cite",
        [('consult_cite = "Mục IV.5"\n', "")],
        "category[1].consult_cite",
        "needed with consultees",
    ),
    (
        "consult-when-without-consultees",
        [
            ('consultees = ["police", "fatherland_front"]\n', ""),
            (
                'consult_cite = "Mục IV.5"\n',
                'consult_when = { criterion = "xep-loai", answers = ["Tốt"] }\n',
            ),
        ],
        "category[1].consult_when",
        "given without consultees",
    ),
    (
        "consult-shows-without-consultees",
        [
            ('consultees = ["police", "fatherland_front"]\n', ""),
            ('consult_cite = "Mục IV.5"\n', 'consult_shows = ["criteria"]\n'),
        ],
        "category[1].consult_shows",
        "given without consultees",
    ),
    (
        "objection-override-without-consultees",
        [
            ('consultees = ["police", "fatherland_front"]\n', ""),
            ('consult_cite = "Mục IV.5"\n', "objection_override = true\n"),
        ],
        "category[1].objection_override",
        "given without consultees",
    ),
    (
        "consult-shows-unknown-part",
        [
            (
                'consult_cite = "Mục IV.5"\n',
                'consult_cite = "Mục IV.5"\nconsult_shows = ["history"]\n',
            )
        ],
        "category[1].consult_shows[0]",
        "achievements",
    ),
    (
        "consult-shows-repeated",
        [
            (
                'consult_cite = "Mục IV.5"\n',
                'consult_cite = "Mục IV.5"\nconsult_shows = ["criteria", "criteria"]\n',
            )
        ],
        "category[1].consult_shows[1]",
        "part 'criteria' is listed twice",
    ),
    (
        "consult-remind-days-zero",
        [('consult_cite = "Mục IV.5"\n', 'consult_cite = "Mục IV.5"\nconsult_remind_days = 0\n')],
        "category[1].consult_remind_days",
        "1",
    ),
    (
        "consult-when-unknown-criterion",
        [_when('"khong-co"', '["Tốt"]')],
        "category[1].consult_when.criterion",
        "unknown criterion 'khong-co' (choice criteria that apply here: xep-loai)",
    ),
    (
        "consult-when-other-category",
        [_when('"thu-nhap"', '["Tốt"]')],
        "category[1].consult_when.criterion",
        "criterion 'thu-nhap' belongs to category[0]",
    ),
    (
        "consult-when-not-choice",
        [_when('"mo-ta"', '["Tốt"]')],
        "category[1].consult_when.criterion",
        "criterion 'mo-ta' is of kind text; consult_when needs a choice criterion",
    ),
    (
        "consult-when-general-not-choice",
        [_when('"chap-hanh"', '["Tốt"]')],
        "category[1].consult_when.criterion",
        "criterion 'chap-hanh' is of kind attest",
    ),
    (
        "consult-when-answer-not-an-option",
        [_when('"xep-loai"', '["Tốt", "Xuất sắc"]')],
        "category[1].consult_when.answers[1]",
        "'Xuất sắc' is not one of the options of 'xep-loai' (Tốt / Khá / Trung bình)",
    ),
    (
        "consult-when-answer-repeat",
        [_when('"xep-loai"', '["Tốt", "Tốt"]')],
        "category[1].consult_when.answers[1]",
        "answer 'Tốt' is listed twice",
    ),
    (
        "consult-when-no-answers",
        [_when('"xep-loai"', "[]")],
        "category[1].consult_when.answers",
        "needs at least 1 item",
    ),
    (
        "consult-when-unknown-key",
        [
            (
                'consult_cite = "Mục IV.5"\n',
                'consult_cite = "Mục IV.5"\n'
                'consult_when = { criterion = "xep-loai", answer = ["Tốt"] }\n',
            )
        ],
        "category[1].consult_when.answer",
        "unknown key (did you mean 'answers'?)",
    ),
    (
        "consult-when-missing-criterion",
        [
            (
                'consult_cite = "Mục IV.5"\n',
                'consult_cite = "Mục IV.5"\nconsult_when = { answers = ["Tốt"] }\n',
            )
        ],
        "category[1].consult_when.criterion",
        "missing required key",
    ),
    (
        "consult-when-not-a-table",
        [
            (
                'consult_cite = "Mục IV.5"\n',
                'consult_cite = "Mục IV.5"\nconsult_when = "xep-loai"\n',
            )
        ],
        "category[1].consult_when",
        "expected a table",
    ),
]
CASES = [c for c in CASES if c[0] != "no-categories"] + [
    ("no-categories", [], "category", "missing required key"),
]


def _without_categories(text: str) -> str:
    return text[: text.index("[[category]]")]


@pytest.mark.parametrize(
    ("replacements", "path", "words"), [pytest.param(r, p, w, id=i) for i, r, p, w in CASES]
)
def test_malformed_file_is_refused_with_key_path(replacements, path, words):
    text = (
        _without_categories(VALID_PLAN) if path == "category" else edit(VALID_PLAN, *replacements)
    )
    problems = refused(text)
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


# -- helpers on the model


@pytest.fixture
def plan() -> Plan:
    return load_plan_text(VALID_PLAN, FILE)


def test_criteria_for(plan):
    ids = lambda criteria: [c.id for c in criteria]  # noqa: E731
    assert ids(plan.criteria_for("nong-dan", "individual")) == [
        "chap-hanh",
        "thu-nhap",
        "anh-mo-hinh",
    ]
    assert ids(plan.criteria_for("nong-dan", "household")) == [
        "chap-hanh",
        "gia-dinh-van-hoa",
        "thu-nhap",
    ]
    assert ids(plan.criteria_for("thon", "collective")) == ["chap-hanh", "xep-loai", "mo-ta"]
    assert plan.criteria_for("thon", "individual") == ()
    with pytest.raises(KeyError):
        plan.criteria_for("khong-co", "individual")


def test_categories_and_lookups(plan):
    assert [c.id for c in plan.categories_for("household")] == ["nong-dan"]
    assert [c.id for c in plan.categories_for("collective")] == ["thon"]
    assert plan.subject_kinds() == ("individual", "household", "collective")
    assert plan.criterion("mo-ta").kind == "text"
    assert plan.criterion("chap-hanh").kind == "attest"
    assert plan.deadline("bao-cao").yearly == "12-15"
    with pytest.raises(KeyError):
        plan.category("khong-co")
    with pytest.raises(KeyError):
        plan.criterion("khong-co")
    assert SUBJECT_KINDS == ("individual", "household", "collective")
    assert set(CRITERION_KINDS) == {"attest", "evidence", "number", "years", "choice", "text"}


def test_subject_kinds_in_fixed_order():
    text = edit(
        VALID_PLAN,
        ('subjects = ["individual", "household"]', 'subjects = ["household"]'),
        ('subjects = ["individual"]\n  required', "required"),
        ('subjects = ["individual"]\nmin = 1', 'subjects = ["household"]\nmin = 1'),
    )
    assert load_plan_text(text, FILE).subject_kinds() == ("household", "collective")


def test_criterion_defaults_and_locale(plan):
    evidence = plan.criterion("anh-mo-hinh")
    assert evidence.min_files_required == 2
    assert evidence.required is False
    assert plan.criterion("thu-nhap").min == 100
    text = plan.criterion("mo-ta")
    assert (text.text_min_length, text.text_max_length) == (20, 500)
    attest = plan.criterion("chap-hanh")
    assert attest.required is True
    assert (attest.min_files_required, attest.text_min_length, attest.text_max_length) == (
        1,
        1,
        1000,
    )
    assert attest.text_for("en") == "Abides by the Party's and State's policies"
    assert attest.text_for("vi") == "Chấp hành tốt chủ trương, chính sách"
    assert plan.criterion("mo-ta").text_for("en") == "Mô tả cách làm hay"  # no companion
    assert plan.category("nong-dan").title_for("en") == "Good farmer"
    assert plan.category("thon").title_for("en") == "Thôn tiêu biểu"
    assert plan.title_for("en") == "Test commune exemplar plan"


def test_fixed_deadline_occurrences(plan):
    deadline = plan.deadline("dang-ky")
    assert deadline.occurrences(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == [
        dt.date(2026, 3, 31)
    ]
    assert deadline.occurrences(dt.date(2026, 3, 31), dt.date(2026, 3, 31)) == [
        dt.date(2026, 3, 31)
    ]
    assert deadline.occurrences(dt.date(2026, 4, 1), dt.date(2027, 12, 31)) == []
    assert deadline.next_after(dt.date(2026, 3, 30)) == dt.date(2026, 3, 31)
    assert deadline.next_after(dt.date(2026, 3, 31)) is None  # strictly after
    assert deadline.next_after(dt.date(2026, 3, 1), until=dt.date(2026, 3, 15)) is None


def test_yearly_deadline_occurrences(plan):
    deadline = plan.deadline("bao-cao")
    assert deadline.occurrences(dt.date(2026, 1, 1), dt.date(2027, 12, 31)) == [
        dt.date(2026, 12, 15),
        dt.date(2027, 12, 15),
    ]
    assert deadline.occurrences(dt.date(2026, 12, 16), dt.date(2027, 12, 14)) == []
    assert deadline.next_after(dt.date(2026, 6, 1)) == dt.date(2026, 12, 15)
    assert deadline.next_after(dt.date(2026, 12, 15)) == dt.date(2027, 12, 15)
    assert deadline.next_after(dt.date(2027, 12, 31), until=dt.date(2027, 12, 31)) is None


def test_deadline_built_in_python():
    deadline = Deadline(id="x", title="X", yearly="01-01", owed_by="commune", cite="c")
    assert deadline.stage == "propose"
    assert deadline.next_after(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)


def test_deadlines_between_stays_in_period(plan):
    found = plan.deadlines_between(dt.date(2025, 1, 1), dt.date(2030, 1, 1))
    assert [(day, d.id) for day, d in found] == [
        (dt.date(2026, 3, 31), "dang-ky"),
        (dt.date(2026, 12, 15), "bao-cao"),
        (dt.date(2027, 12, 15), "bao-cao"),
    ]


def test_models_are_frozen(plan):
    with pytest.raises(ValueError):
        plan.plan.id = "khac"  # type: ignore[misc]


# -- presets


def test_presets_found_by_id(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "preset_dir", lambda: tmp_path)
    assert loader.preset_paths() == []
    assert load_presets() == []
    (tmp_path / "b.toml").write_text(VALID_PLAN, encoding="utf-8")
    (tmp_path / "a.toml").write_text(
        edit(VALID_PLAN, ('id = "xa-thu"', 'id = "xa-khac"')), encoding="utf-8"
    )
    assert [p.name for p in loader.preset_paths()] == ["a.toml", "b.toml"]
    assert load_preset("xa-thu").id == "xa-thu"
    assert [p.id for p in load_presets()] == ["xa-khac", "xa-thu"]
    with pytest.raises(KeyError):
        load_preset("khong-co")


def test_presets_refused_together(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "preset_dir", lambda: tmp_path)
    (tmp_path / "a.toml").write_text(VALID_PLAN, encoding="utf-8")
    (tmp_path / "b.toml").write_text(VALID_PLAN, encoding="utf-8")
    (tmp_path / "c.toml").write_text(edit(VALID_PLAN, ("max = 5", "max = 1")), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_presets()
    text = str(info.value)
    assert "b.toml: plan.id: plan id 'xa-thu' is also used by" in text
    assert "c.toml: quota[0].max: max 1 is below min 2" in text


_PRESETS = preset_paths()


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=p.name) for p in _PRESETS]
    or [pytest.param(None, marks=pytest.mark.skip(reason="no presets in bot/plans/presets yet"))],
)
def test_shipped_preset_loads(path):
    plan = load_plan_file(path)
    assert plan_problems(plan) == []
    assert path.stem == plan.id, "docs/plans.md: presets are named after their plan.id"
    assert load_preset(plan.id) == plan


def test_shipped_presets_have_distinct_ids():
    if not _PRESETS:
        pytest.skip("no presets in bot/plans/presets yet")
    plans = load_presets()
    assert len({p.id for p in plans}) == len(plans) == len(_PRESETS)


# -- quota levels, owed_by arrays, conditional consultation

#: VALID_PLAN with every key added in this round, each used as a plan writer would.
EXTENDED_PLAN = edit(
    VALID_PLAN,
    # the commune's own Farmers' Association, not a village branch
    (_FARMERS, _FARMERS + 'level = "commune"\n'),
    # a level given with its own administrative kind is redundant but right
    ('unit_kind = "commune"\n', 'unit_kind = "commune"\nlevel = "commune"\n'),
    # one report owed by the commune and its bodies
    ('owed_by = "commune"', 'owed_by = ["commune", "agency", "fatherland_front"]'),
    # the village is vetted only when rated Tốt
    _when('"xep-loai"', '["Tốt"]'),
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
        _when('"doi-tuong"', '["Người có uy tín"]'),
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
        _when('"doi-tuong"', '["Có"]'),
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
        _when('"xep-loai"', '["Tốt"]'),
        ('cite = "Mục III.3.a"', 'cite = "Mục III.3.a"\n  note = "x"'),
    )
    (problem,) = refused(text)
    assert problem.startswith(f"{FILE}: category[1].criterion[0].note: unknown key")


def test_new_problems_are_reported_together_in_file_order():
    text = edit(
        VALID_PLAN,
        ('owed_by = "commune"', 'owed_by = ["commune", "xa"]'),
        ('unit_kind = "commune"\n', 'unit_kind = "commune"\nlevel = "district"\n'),
        _when('"xep-loai"', '["Xuất sắc"]'),
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
