"""Malformed plan files, each one edit away from the valid plan in conftest.py, with the key
path and the words its refusal must name: read by test_loader.py (each refusal says where and
why) and test_validate_messages.py (``plans validate`` says exactly what it said before).
"""

from __future__ import annotations

from .conftest import VALID_PLAN, edit

# The second quota's first line, to add keys after.
FARMERS = 'unit_kind = "farmers_association"\n'


def consult_when(criterion: str, answers: str) -> tuple[str, str]:
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
        [(FARMERS, FARMERS + 'level = "huyen"\n')],
        "quota[1].level",
        "unknown level 'huyen' (levels are province, district, commune, village)",
    ),
    (
        "quota-level-typo",
        [(FARMERS, FARMERS + 'level = "distric"\n')],
        "quota[1].level",
        "unknown level 'distric' (did you mean 'district'?)",
    ),
    (
        "quota-level-is-a-kind",
        [(FARMERS, FARMERS + 'level = "ward"\n')],
        "quota[1].level",
        "unknown level 'ward' ('ward' is a kind of unit; its level is 'commune')",
    ),
    (
        "quota-level-not-a-string",
        [(FARMERS, FARMERS + "level = 2\n")],
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
        [consult_when('"khong-co"', '["Tốt"]')],
        "category[1].consult_when.criterion",
        "unknown criterion 'khong-co' (choice criteria that apply here: xep-loai)",
    ),
    (
        "consult-when-other-category",
        [consult_when('"thu-nhap"', '["Tốt"]')],
        "category[1].consult_when.criterion",
        "criterion 'thu-nhap' belongs to category[0]",
    ),
    (
        "consult-when-not-choice",
        [consult_when('"mo-ta"', '["Tốt"]')],
        "category[1].consult_when.criterion",
        "criterion 'mo-ta' is of kind text; consult_when needs a choice criterion",
    ),
    (
        "consult-when-general-not-choice",
        [consult_when('"chap-hanh"', '["Tốt"]')],
        "category[1].consult_when.criterion",
        "criterion 'chap-hanh' is of kind attest",
    ),
    (
        "consult-when-answer-not-an-option",
        [consult_when('"xep-loai"', '["Tốt", "Xuất sắc"]')],
        "category[1].consult_when.answers[1]",
        "'Xuất sắc' is not one of the options of 'xep-loai' (Tốt / Khá / Trung bình)",
    ),
    (
        "consult-when-answer-repeat",
        [consult_when('"xep-loai"', '["Tốt", "Tốt"]')],
        "category[1].consult_when.answers[1]",
        "answer 'Tốt' is listed twice",
    ),
    (
        "consult-when-no-answers",
        [consult_when('"xep-loai"', "[]")],
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


def without_categories(text: str) -> str:
    return text[: text.index("[[category]]")]


def malformed_text(replacements: list[tuple[str, str]], path: str) -> str:
    """The plan file of one case."""
    return without_categories(VALID_PLAN) if path == "category" else edit(VALID_PLAN, *replacements)
