"""The Kon Tum preset against Quyết định 44/2023/QĐ-UBND (seed 000_e3010444bbc96207.txt).

Every expected value here is read from the decision itself, not from the preset: if the preset
drifts from the document, these tests fail.
"""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import unsaid

PLAN_ID = "kontum-44-2023"

# Điều 2.2 a–đ and the criteria of Điều 6.2 with the same letter, by key words of the field name.
FIELDS = {
    "a": "lao động, sản xuất kinh doanh",
    "b": "công tác, học tập",
    "c": "tuyên truyền, vận động",
    "d": "an ninh trật tự",
    "đ": "bản sắc văn hoá",
}

# Điều 1.2.a: the persons the decision applies to.
PERSONS = (
    "Già làng",
    "Trưởng thôn",
    "Người có uy tín",
    "Cán bộ cốt cán",
    "Nhân sỹ",
    "Trí thức",
    "Doanh nhân",
    "Học sinh",
    "Sinh viên",
    "Thanh niên tiêu biểu",
)


def _by_field(plan):
    return {category.field: category for category in plan.categories}


def test_plan_identity(plan):
    info = plan.plan
    assert info.id == PLAN_ID
    assert info.document == "44/2023/QĐ-UBND"
    assert "Kon Tum" in info.issuer
    assert info.issued_on == dt.date(2023, 8, 21)  # "Kon Tum, ngày 21 tháng 8 năm 2023"
    assert info.effective_on == dt.date(2023, 8, 31)  # Điều 2 of the Quyết định
    assert "điển hình tiên tiến" in info.title
    assert "người dân tộc thiểu số" in info.title
    assert info.title_en
    assert info.source


def test_standing_decision_has_open_period(plan):
    period = plan.plan.period
    assert period.end is None
    assert dt.date(2023, 8, 21) <= period.start <= dt.date(2023, 8, 31)


def test_honoured_every_two_years(plan):
    assert plan.plan.honour_every_years == 2  # Điều 3.2 "Định kỳ 02 năm 1 lần"


def test_review_chain_commune_district_province(plan):
    # Điều 10.2: communes vote candidates, the district selects and sends them to Ban Dân tộc;
    # Điều 8.4: Ban Dân tộc appraises and submits them to UBND tỉnh.
    info = plan.plan
    assert info.review_chain == ["commune", "district", "province"]
    assert "Phòng Dân tộc" in info.review_bodies["district"]
    assert "Ban Dân tộc" in info.review_bodies["province"]
    assert "xã" in info.review_bodies["commune"]


def test_five_fields_of_individuals(plan):
    assert len(plan.categories) == 5
    by_field = _by_field(plan)
    assert set(by_field) == set(FIELDS)
    for letter, words in FIELDS.items():
        category = by_field[letter]
        assert words in category.title, letter
        assert category.subjects == ["individual"]
        assert f"Điều 6.2.{letter}" in category.cite
        assert category.title_en
    assert plan.categories_for("household") == []
    assert plan.categories_for("collective") == []
    assert len(plan.categories_for("individual")) == 5


def test_district_ethnic_office_leads(plan):
    # Điều 10.1: Phòng Dân tộc các huyện, thành phố is the leading body.
    for category in plan.categories:
        assert category.lead == "ethnic_office"


# Điều 9.3 and 9.8: the police and the Front take part in "giới thiệu bình chọn và xét duyệt các
# (gương) điển hình tiên tiến là cán bộ cốt cán, người có uy tín".
VETTED = {"Cán bộ cốt cán", "Người có uy tín"}


def test_police_and_front_vet_key_cadres_and_prestigious_persons(plan):
    # Điều 9.3 (Công an) and Điều 9.8 (Ủy ban MTTQ Việt Nam các cấp).
    (scope,) = [c for c in plan.criteria if c.kind == "choice"]
    for category in plan.categories:
        assert set(category.consultees) == {"police", "fatherland_front"}
        assert "9.3" in category.consult_cite
        assert "9.8" in category.consult_cite
        # Only for key cadres and prestigious persons, whatever the field.
        when = category.consult_when
        assert when is not None, category.id
        assert when.criterion == scope.id
        assert set(when.answers) == VETTED
        assert scope in plan.criteria_for(category.id, "individual")


@pytest.mark.parametrize("person", PERSONS)
def test_consultation_depends_on_the_kind_of_person(plan, person):
    (scope,) = [c for c in plan.criteria if c.kind == "choice"]
    answers = {scope.id: {"value": person}}
    for category in plan.categories:
        assert category.needs_consultation(answers) is (person in VETTED), (category.id, person)


def test_no_consultation_without_an_answer_on_the_person(plan):
    for category in plan.categories:
        assert category.needs_consultation({}) is False
        assert category.needs_consultation({"khac": {"value": "Người có uy tín"}}) is False


def test_quota_two_models_of_ten_per_district_each_year(plan):
    # Điều 2.1: hàng năm mỗi huyện, thành phố đăng ký 02 mô hình, mỗi mô hình gồm 10 điển hình.
    assert len(plan.quotas) == 1
    quota = plan.quotas[0]
    assert quota.unit_kind == "district"
    assert quota.category is None
    assert quota.subjects == ["individual"]
    assert quota.min == 2 * 10
    assert quota.max == 2 * 10
    assert quota.per == "year"
    assert quota.cite == "Điều 2.1"
    assert "02 mô hình" in quota.note and "10 điển hình" in quota.note


def test_deadlines_are_yearly_without_fixed_dates(plan):
    # The decision names no calendar day: yearly registration (Điều 2.1), the district's periodic
    # report (Điều 10.4) and Ban Dân tộc's yearly report (Điều 8.5).
    found = {(d.cite, d.owed_by, d.stage) for d in plan.deadlines}
    assert found == {
        ("Điều 2.1", "district", "register"),
        ("Điều 10.4", "district", "report"),
        ("Điều 8.5", "province", "report"),
    }
    for deadline in plan.deadlines:
        assert deadline.date is None
        assert deadline.yearly == "12-31"  # year-only obligations: the year's last day


def test_general_criteria_from_article_6_1(plan):
    general = plan.criteria
    assert {c.cite.split(",")[0] for c in general} == {"Điều 6.1.a", "Điều 6.1.b"}
    for criterion in general:
        assert criterion.required
        assert criterion.subjects in (None, ["individual"])
    assert not unsaid(
        general,
        "thành tích tiêu biểu, xuất sắc",
        "nhân tố nổi trội",
        "sức lan tỏa",
        "chủ trương, đường lối của Đảng",
        "tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "tương thân, tương ái",
        "hoạt động xã hội",
        "dân tộc thiểu số",
    )


def test_scope_is_a_choice_of_the_persons_named(plan):
    (scope,) = [c for c in plan.criteria if c.kind == "choice"]
    assert "Điều 6.1.a" in scope.cite
    assert set(PERSONS) <= set(scope.options)
    assert set(scope.accept) == set(PERSONS)
    assert len(scope.options) > len(scope.accept)  # someone outside the list is refused


def test_achievements_need_evidence(plan):
    (achievement,) = [c for c in plan.criteria if "thành tích tiêu biểu" in c.text]
    assert achievement.kind == "evidence"


#: Điều 6.2: what each field's criteria must say (field b, shared by two groups, is below).
FIELD_PHRASES = {
    "a": ("tiến bộ khoa học, kỹ thuật", "hiệu quả cao", "hợp pháp"),
    "c": (
        "chương trình mục tiêu quốc gia",
        "phát triển kinh tế - xã hội",
        "hoà giải và giải quyết khiếu kiện",
    ),
    "d": (
        "an ninh chính trị, trật tự an toàn xã hội",
        "toàn dân bảo vệ an ninh Tổ quốc",
        "Toàn dân đoàn kết xây dựng đời sống văn hóa ở khu dân cư",
        "thiên tai, dịch bệnh",
        "tội phạm và tệ nạn xã hội",
    ),
    "đ": ("giá trị văn hóa truyền thống", "nghề thủ công truyền thống", "du lịch"),
}


@pytest.mark.parametrize("field", FIELD_PHRASES)
def test_a_field_cites_its_clause_requires_all_and_says_its_words(plan, field):
    own = _by_field(plan)[field].criteria
    assert all(c.cite == f"Điều 6.2.{field}" and c.required for c in own)
    assert not unsaid(own, *FIELD_PHRASES[field])


def test_field_a_effective_work_needs_evidence(plan):
    (effective,) = [c for c in _by_field(plan)["a"].criteria if "hiệu quả cao" in c.text]
    assert effective.kind == "evidence"


def test_field_d_is_attested(plan):
    assert all(c.kind == "attest" for c in _by_field(plan)["d"].criteria)


def test_field_b_work_and_study_serves_both_groups(plan):
    own = _by_field(plan)["b"].criteria
    assert all(c.cite == "Điều 6.2.b" for c in own)
    by_words = {
        words: next(c for c in own if words in c.text)
        for words in (
            "nổi trội trong cơ quan, đơn vị",
            "tinh thần trách nhiệm cao",
            "ý thức tổ chức kỷ luật",
            "sáng kiến, giải pháp hữu ích",
            "Đổi mới, sáng tạo trong học tập",
            "thành tích cao trong học tập",
            "vượt khó vươn lên",
        )
    }
    # Common to officials and pupils: required.
    assert by_words["nổi trội trong cơ quan, đơn vị"].required
    assert by_words["tinh thần trách nhiệm cao"].required
    assert by_words["ý thức tổ chức kỷ luật"].required
    # Only for people at work, or only for pupils and students: not required of everyone.
    assert not by_words["sáng kiến, giải pháp hữu ích"].required
    assert not by_words["Đổi mới, sáng tạo trong học tập"].required
    assert not by_words["thành tích cao trong học tập"].required
    assert not by_words["vượt khó vươn lên"].required
    assert by_words["sáng kiến, giải pháp hữu ích"].kind == "evidence"


def test_criteria_are_short_single_conditions(plan):
    for criterion in plan.all_criteria():
        assert len(criterion.text) <= 220, criterion.id
        assert criterion.cite.startswith("Điều ")
