"""The Đà Lạt preset against the 2023 plan of Ban Thường vụ Thành ủy Đà Lạt (seed 004).

Every expected value here is read from the plan itself (seed 004_c837411a22a076df.txt: building
and replicating advanced exemplars in studying and following Hồ Chí Minh's ideology, morality and
style, 2023), not from the preset: if the preset drifts from the document, these tests fail.
"""

from __future__ import annotations

import datetime as dt
import re

PLAN_ID = "dalat-2023"

BOTH = {"collective", "individual"}

# Mục II.3.1–II.3.12: key words of each field's heading and the subjects its text names.
SECTIONS = {
    1: ("phát triển kinh tế hộ gia đình, giảm nghèo bền vững", {"household"}),  # "Là hộ gia đình"
    2: ("sản xuất - kinh doanh, lao động giỏi, lao động sáng tạo", BOTH),
    3: ("Tổ dân phố, phường, xã văn hóa", {"collective"}),  # "Là Tổ dân phố, phường, xã"
    4: ("xây dựng nông thôn mới", BOTH),  # "Là các xã ..."; "cá nhân có nhiều đóng góp"
    5: ("giáo dục - đào tạo", BOTH),  # "Tập thể:", "Cá nhân:"
    6: ("y tế, chăm sóc sức khỏe Nhân dân", BOTH),
    7: ("học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", BOTH),
    8: ("quốc phòng - an ninh", BOTH),
    9: ("người tốt, việc tốt", {"individual"}),  # "Người dân ..., các chức sắc tôn giáo"
    10: ("Khởi nghiệp - Lập nghiệp", BOTH),
    11: ("cải cách hành chính", BOTH),  # "Là những tập thể, cá nhân"
    12: ("công nghệ thông tin và truyền thông", BOTH),  # "Là những tập thể, cá nhân"
}

HTXS = "Hoàn thành xuất sắc nhiệm vụ"
HTT = "Hoàn thành tốt nhiệm vụ"
HT = "Hoàn thành nhiệm vụ"


def _section(plan, number):
    found = [c for c in plan.categories if c.cite == f"Mục II.3.{number}"]
    assert len(found) == 1, number
    return found[0]


def _criterion(category, words, subject=None):
    """The one criterion of the category whose text holds ``words`` (for ``subject``, if given)."""
    found = [
        c
        for c in category.criteria
        if words in c.text and (subject is None or c.applies_to(subject))
    ]
    assert len(found) == 1, (category.id, words, [c.id for c in found])
    return found[0]


# --------------------------------------------------------------------------------------------
# [plan]


def test_plan_identity(plan):
    info = plan.plan
    assert info.id == PLAN_ID
    assert "Ban Thường vụ Thành ủy Đà Lạt" in info.issuer  # "T/M BAN THƯỜNG VỤ"
    assert "xây dựng và nhân rộng điển hình tiên tiến" in info.title
    assert "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2023" in info.title
    assert info.title_en
    assert info.source.endswith("004_c837411a22a076df.txt")
    # The seed gives the plan no number: the preset must not invent one (the year is no number).
    assert "KH/ThU" in info.document
    assert not re.search(r"\d", info.document.replace("2023", ""))


def test_dates(plan):
    info = plan.plan
    # Undated in the seed; it implements Kế hoạch số 156-KH/ThU of 22/3/2023, so not before that.
    assert dt.date(2023, 3, 22) <= info.issued_on <= dt.date(2023, 12, 31)
    assert info.effective_on is None
    # "năm 2023"
    assert info.period.start == dt.date(2023, 1, 1)
    assert info.period.end == dt.date(2023, 12, 31)
    # Mục III.3: reviews and honours "hàng năm"
    assert info.honour_every_years == 1


def test_review_chain(plan):
    # Mục III.3: units review in April and send their exemplars to UBND Thành phố, which decides
    # the honours; Mục IV.1: lists go to Thành ủy through its Ban Tuyên giáo. Đà Lạt is a
    # provincial city (level district) whose localities are wards and communes (level commune).
    info = plan.plan
    assert info.review_chain == ["commune", "district"]
    assert set(info.review_bodies) <= {"commune", "district"}
    district = info.review_bodies["district"]
    assert "UBND Thành phố" in district
    assert "Thành ủy" in district
    assert "Ban Tuyên giáo" in district
    assert "Đảng" in info.review_bodies["commune"]  # "Các TCCS Đảng, người đứng đầu ..."


# --------------------------------------------------------------------------------------------
# Quotas and deadlines


def test_quota_two_models_per_unit(plan):
    # Mục III.1: "Các TCCS Đảng, các cơ quan, đơn vị, địa phương Thành phố ... giới thiệu ít nhất
    # 02 mô hình, điển hình tiên tiến tiêu biểu năm 2023"; any field, any subject, no maximum.
    quotas = {
        (q.unit_kind, q.category, None if q.subjects is None else tuple(q.subjects), q.min, q.max)
        for q in plan.quotas
    }
    assert quotas == {
        ("commune", None, None, 2, None),
        ("agency", None, None, 2, None),
        ("party_committee", None, None, 2, None),
    }
    assert len(plan.quotas) == 3
    for quota in plan.quotas:
        assert quota.cite == "Mục III.1"
        # a one-year plan: per year and per plan are the same period
        assert quota.per in ("year", "plan")


def test_deadlines(plan):
    # Mục III.3: "trong tháng 4 hàng năm" for agencies, units and localities, "vào tháng 5 hàng
    # năm" for the city; month-only obligations fall on the month's last day.
    got = {(d.yearly, d.owed_by): d for d in plan.deadlines}
    assert set(got) == {("04-30", "commune"), ("04-30", "agency"), ("05-31", "district")}
    assert len(plan.deadlines) == 3
    for deadline in plan.deadlines:
        assert deadline.date is None
        assert deadline.cite == "Mục III.3"
        assert "Sơ kết đánh giá công tác phát hiện, bồi dưỡng" in deadline.title
    # One sentence for "các cơ quan, đơn vị, địa phương", kept as two deadlines because what April
    # closes differs: the locality's review step, the agencies' proposals to the city.
    assert got[("04-30", "commune")].stage == "review"
    assert got[("04-30", "agency")].stage == "propose"
    assert got[("04-30", "commune")].title == got[("04-30", "agency")].title
    for deadline in plan.deadlines:
        assert deadline.owed_by_kinds == [deadline.owed_by]
    # Levels are not used: "các TCCS Đảng, các cơ quan, đơn vị" of the city stand at more than
    # one level (a ward's Party committee, a city agency's).
    assert all(q.level is None for q in plan.quotas)
    assert "UBND Thành phố" in got[("04-30", "commune")].title
    city = got[("05-31", "district")]
    assert city.stage == "honour"
    assert "01-KL/TW" in city.title
    days = [day for day, _ in plan.deadlines_between(dt.date(2023, 1, 1), dt.date(2023, 12, 31))]
    assert days == [dt.date(2023, 4, 30), dt.date(2023, 4, 30), dt.date(2023, 5, 31)]


# --------------------------------------------------------------------------------------------
# Categories


def test_twelve_fields_with_their_subjects(plan):
    assert len(plan.categories) == 12
    for number, (words, subjects) in SECTIONS.items():
        category = _section(plan, number)
        assert words in category.title, number
        assert set(category.subjects) == subjects, number
        assert category.title_en, number
    # Households only in II.3.1
    assert [c.cite for c in plan.categories_for("household")] == ["Mục II.3.1"]
    assert len(plan.categories_for("individual")) == 10
    assert len(plan.categories_for("collective")) == 10


def test_no_leading_body_and_no_consultees(plan):
    # No field is assigned to a body; nobody is consulted on nominees (Mục IV).
    for category in plan.categories:
        assert category.lead is None
        assert category.consultees == []
        assert category.consult_cite is None


def test_citations_point_into_the_section(plan):
    for category in plan.categories:
        for criterion in category.criteria:
            assert criterion.cite.startswith(category.cite), criterion.id
            rest = criterion.cite[len(category.cite) :]
            assert rest == "" or rest.startswith(" ("), criterion.id


# --------------------------------------------------------------------------------------------
# General criteria (Mục II.2 Đối tượng, Mục I.2 Yêu cầu)


def test_general_criteria(plan):
    texts = {c.text: c for c in plan.criteria}
    assert len(texts) == 4
    for words, cite in (
        ("nhân tố mới", "Mục II.2"),
        ("Được tập thể thừa nhận, suy tôn", "Mục II.2"),
        ("cổ vũ, lôi cuốn, nêu gương", "Mục II.2"),
        ("lựa chọn công khai, dân chủ từ cơ sở", "Mục I.2"),
    ):
        found = [c for text, c in texts.items() if words in text]
        assert len(found) == 1, words
        assert found[0].cite == cite
        assert found[0].kind == "attest"
        assert found[0].subjects is None  # tập thể, cá nhân, hộ gia đình alike
        assert found[0].required


# --------------------------------------------------------------------------------------------
# Category criteria, by citation


def test_household_economy(plan):
    category = _section(plan, 1)
    income = _criterion(category, "cao hơn mức trung bình của các hộ dân tại địa phương")
    assert income.kind == "number"
    assert income.min == 100
    assert income.max is None
    assert "%" in income.unit
    title = _criterion(category, "Gia đình văn hóa")
    assert title.kind == "years"
    assert title.title == "Gia đình văn hóa"
    assert title.years >= 1
    assert _criterion(category, "quy định của địa phương").kind == "attest"
    assert _criterion(category, "chủ trương của Đảng").kind == "attest"
    assert len(category.criteria) == 8
    assert all(c.required for c in category.criteria)


def test_production_and_business(plan):
    category = _section(plan, 2)
    dispute = _criterion(category, "không xảy ra tranh chấp lao động tập thể")
    assert dispute.kind == "attest"
    assert dispute.subjects == ["collective"]
    assert dispute.cite == "Mục II.3.2 (ý 1)"
    # "các tập thể, cá nhân thực hiện cải tiến kỹ thuật"
    assert set(_criterion(category, "cải tiến kỹ thuật").subjects) == BOTH
    coach = _criterion(category, "kèm cặp nhiều công nhân trở thành thợ giỏi")
    assert coach.subjects == ["individual"]
    assert coach.kind == "evidence"
    assert coach.cite == "Mục II.3.2 (ý 2)"
    # the Đà Lạt manner is asked of tourism, services and trade only
    assert not _criterion(category, "phong cách người Đà Lạt").required
    for words in ("an toàn lao động", "an ninh trật tự", "môi trường"):
        assert _criterion(category, f"Đạt tiêu chuẩn {words}").subjects == ["collective"]


def test_cultured_residential_group(plan):
    category = _section(plan, 3)
    poor = _criterion(category, "Không có hộ nghèo")
    assert poor.kind == "number"
    assert poor.max == 0
    assert poor.min is None
    assert _criterion(category, "Không có các tệ nạn xã hội").kind == "attest"
    assert _criterion(category, "tội phạm ẩn náu").kind == "attest"
    assert _criterion(category, "việc cưới, việc tang").kind == "attest"


def test_new_rural_development(plan):
    category = _section(plan, 4)
    commune = _criterion(category, "nông thôn kiểu mẫu theo Chương trình")
    assert commune.subjects == ["collective"]
    assert commune.kind == "evidence"
    person = _criterion(category, "hiến đất làm đường")
    assert person.subjects == ["individual"]


def test_education_ratings(plan):
    category = _section(plan, 5)
    unit = _criterion(category, "Đơn vị được đánh giá xếp loại hoàn thành xuất sắc")
    assert unit.kind == "choice"
    assert unit.accept == [HTXS]
    assert unit.subjects == ["collective"]
    # "tổ chức Đảng, đoàn thể vững mạnh, hoàn thành tốt nhiệm vụ trở lên"
    for words in ("Tổ chức Đảng", "đoàn thể"):
        rating = _criterion(category, words, "collective")
        assert rating.kind == "choice"
        assert set(rating.accept) == {HTXS, HTT}
        assert HT in rating.options
    # the head of a unit: civil-servant rating excellent, Party-member rating good or better
    civil = _criterion(category, "xếp loại công chức, viên chức")
    assert civil.kind == "choice"
    assert HTXS in civil.accept
    assert HTT not in civil.accept
    member = _criterion(category, "xếp loại đảng viên")
    assert {HTXS, HTT} <= set(member.accept)
    assert HT not in member.accept
    for head in (civil, member):
        assert head.subjects == ["individual"]
        # someone who heads no unit is not held to the head's conditions
        assert set(head.accept) - {HTXS, HTT}
    awards = _criterion(category, "bồi dưỡng học sinh đạt giải cao")
    assert awards.kind == "evidence"
    assert awards.cite == "Mục II.3.5 (cá nhân)"


def test_health(plan):
    category = _section(plan, 6)
    collective = _criterion(category, "Tập thể hoàn thành xuất sắc")
    assert collective.accept == [HTXS]
    assert _criterion(category, "y đức của người thầy thuốc").subjects == ["individual"]
    epidemic = _criterion(category, "phòng, chống dịch bệnh")
    assert epidemic.cite == "Mục II.3.6 (ý 3)"
    assert not epidemic.required  # a further kind of exemplar, not a condition on the others


def test_ho_chi_minh(plan):
    category = _section(plan, 7)
    unit = _criterion(category, "Địa phương, cơ quan, đơn vị được đánh giá hoàn thành xuất sắc")
    assert unit.accept == [HTXS]
    assert unit.subjects == ["collective"]
    person = _criterion(category, "Hoàn thành xuất sắc nhiệm vụ được giao", "individual")
    assert person.kind == "choice"
    assert person.accept == [HTXS]
    assert _criterion(category, "chương trình hành động cá nhân").subjects == ["individual"]
    assert _criterion(category, "chuẩn mực đạo đức").subjects == ["collective"]


def test_defence_and_security(plan):
    category = _section(plan, 8)
    assert _criterion(category, "Không để xảy ra các “Điểm nóng”").subjects == ["collective"]
    soldier = _criterion(category, "cán bộ, chiến sĩ thuộc các lực lượng vũ trang")
    assert soldier.subjects == ["individual"]
    for subject in BOTH:
        rating = _criterion(category, "Hoàn thành xuất sắc các nhiệm vụ", subject)
        assert rating.accept == [HTXS]


def test_good_people_good_deeds(plan):
    category = _section(plan, 9)
    assert _criterion(category, "chức sắc tôn giáo").kind == "attest"
    assert _criterion(category, "từ thiện, an sinh xã hội").kind == "attest"
    assert len(category.criteria) == 6


def test_start_ups(plan):
    # ý 2: "Cá nhân người khởi nghiệp, lập nghiệp, ... Doanh nhân tiêu biểu xuất sắc" — individuals.
    category = _section(plan, 10)
    person = _criterion(category, "Khởi nghiệp", "individual")
    group = _criterion(category, "Khởi nghiệp", "collective")
    assert person is not group
    assert person.kind == group.kind == "choice"
    assert "Doanh nhân tiêu biểu xuất sắc" in person.accept
    assert not any("Doanh nhân" in option for option in group.options)
    for choice in (person, group):
        assert any("cuộc thi ý tưởng khởi nghiệp" in option for option in choice.accept)
        assert any("vườn ươm" in option for option in choice.accept)
        assert set(choice.options) - set(choice.accept)  # someone can fall outside


def test_reform_and_ict(plan):
    reform = _section(plan, 11)
    assert _criterion(reform, "cải cách hành chính do Ủy ban nhân dân Thành phố").kind == "evidence"
    assert _criterion(reform, "hài lòng của người dân và doanh nghiệp").kind == "attest"
    ict = _section(plan, 12)
    assert _criterion(ict, "tạo ra các công cụ").kind == "evidence"
    # "đặc biệt là phục vụ cho chương trình chuyển đổi số": an emphasis, not a condition
    assert not _criterion(ict, "chuyển đổi số").required


# --------------------------------------------------------------------------------------------
# What a nomination answers


def test_criteria_for_household(plan):
    category = _section(plan, 1)
    asked = plan.criteria_for(category.id, "household")
    assert [c.id for c in asked] == [c.id for c in plan.criteria] + [
        c.id for c in category.criteria
    ]
    assert plan.criteria_for(category.id, "individual") == ()
    assert plan.criteria_for(category.id, "collective") == ()


def test_criteria_for_education_individual(plan):
    category = _section(plan, 5)
    asked = plan.criteria_for(category.id, "individual")
    general = [c.id for c in plan.criteria]
    assert [c.id for c in asked[: len(general)]] == general
    own = asked[len(general) :]
    assert own
    assert all(c.cite.startswith("Mục II.3.5 (cá nhân") for c in own)
    texts = " | ".join(c.text for c in own)
    assert "Gương mẫu đi đầu trong các phong trào thi đua" in texts
    assert "Tập thể đoàn kết" not in texts
    collective = plan.criteria_for(category.id, "collective")
    assert all(c.subjects is None or "collective" in c.subjects for c in collective)
    assert "Tập thể đoàn kết" in " | ".join(c.text for c in collective)
