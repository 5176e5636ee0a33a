"""The Quảng Lạc preset against the commune's 2023 plan (seed 003_6f5172ea15aa4dd9.txt).

Every expected value here is read from the plan itself, not from the preset: if the preset drifts
from the document, these tests fail.
"""

from __future__ import annotations

import datetime as dt

from .conftest import one_saying, text_of, unsaid

PLAN_ID = "quanglac-2023"

# Mục II.3: the eleven movements in order, by key words of their names; the subjects their "+"
# points describe; the body each is given to ("Giao ..." / "Đề nghị ..."); and that body's minimum.
MOVEMENTS = [
    (
        "tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        {"collective", "individual"},
        "propaganda_board",
        2,
    ),
    # "Đối với tập thể: Là các thôn, các ban ngành"; "Đối với cá nhân, gia đình"
    ("chung sức xây dựng nông thôn mới", {"collective", "individual", "household"}, "agency", 2),
    ("văn hóa công sở", {"collective", "individual"}, "labour_union", 1),
    # "tập thể, cá nhân" who help, and "Hộ gia đình điển hình"
    ("chung tay vì người nghèo", {"collective", "individual", "household"}, "office", 2),
    ("Toàn dân đoàn kết", {"collective", "individual"}, "fatherland_front", 2),
    ("Dạy tốt - Học tốt", {"collective", "individual"}, "school", 1),
    ("quốc phòng - an ninh", {"collective", "individual"}, None, 1),
    ("y tế, chăm sóc sức khỏe", {"collective", "individual"}, "health_station", 1),
    # "Là nông dân ..."; "ít nhất 02 nông dân"
    ("mô hình phát triển kinh tế", {"individual"}, "farmers_association", 2),
    ("Khởi nghiệp trong thanh niên", {"collective", "individual"}, "youth_union", 2),
    ("người phụ nữ Việt Nam thời đại mới", {"collective", "individual"}, "womens_union", 2),
]


def _movement(plan, number):
    """The category of the n-th movement (1-based), by the bullet it cites."""
    (found,) = [c for c in plan.categories if c.cite == f"Mục II.3, gạch đầu dòng {number}"]
    return found


def test_plan_identity(plan):
    info = plan.plan
    assert info.id == PLAN_ID
    assert info.issuer == "UBND xã Quảng Lạc"
    assert info.document.endswith("/KH-UBND")  # the seed shows no number
    # The seed shows no date; the plan implements the city's Kế hoạch 148/KH-UBND of 24/3/2023,
    # and its mid-year review falls in 2023.
    assert dt.date(2023, 3, 24) <= info.issued_on <= dt.date(2023, 6, 30)
    assert info.effective_on is None
    assert info.title == (
        "Kế hoạch xây dựng, nhân rộng các mô hình, điển hình tiên tiến "
        "trên địa bàn xã Quảng Lạc năm 2023"
    )
    assert info.title_en
    assert info.source == "003_6f5172ea15aa4dd9.txt"
    assert info.honour_every_years is None


def test_period_is_the_year_2023(plan):
    period = plan.plan.period
    assert period.start == dt.date(2023, 1, 1)
    assert period.end == dt.date(2023, 12, 31)


def test_review_at_the_commune_emulation_council(plan):
    # Mục II.5: units introduce their exemplars "về Hội đồng TĐKT xã"; Mục III.2: the
    # office–statistics civil servant reports to the commune chairman. No higher body is named.
    info = plan.plan
    assert info.review_chain == ["commune"]
    assert info.review_bodies == {"commune": "Hội đồng TĐKT xã"}


def test_eleven_movements_with_subjects_and_leads(plan):
    assert len(plan.categories) == len(MOVEMENTS) == 11
    for number, (words, subjects, lead, _) in enumerate(MOVEMENTS, start=1):
        category = _movement(plan, number)
        assert words in category.title, number
        assert set(category.subjects) == subjects, number
        assert category.lead == lead, number
        assert category.consultees == [], number
        assert category.title_en, number
    assert len(plan.categories_for("collective")) == 10
    assert len(plan.categories_for("individual")) == 11
    assert len(plan.categories_for("household")) == 2


# -- quotas, Mục II.3


def test_each_body_owes_its_minimum_in_its_movement(plan):
    expected = []
    for number, (_, _, lead, minimum) in enumerate(MOVEMENTS, start=1):
        category = _movement(plan, number)
        # Movement 7: "Đề nghị Công an xã, Ban Chỉ huy Quân sự xã, mỗi đơn vị ... ít nhất 01".
        kinds = ["police", "military"] if lead is None else [lead]
        expected += [(kind, category.id, minimum) for kind in kinds]
    found = [(q.unit_kind, q.category, q.min) for q in plan.quotas]
    assert sorted(found) == sorted(expected)
    for quota in plan.quotas:
        assert quota.max is None  # "ít nhất": a floor only
        assert quota.per == "plan"  # the plan covers the one year 2023
        assert quota.cite == plan.category(quota.category).cite
        assert "ít nhất 0" in quota.note


def test_named_minimums(plan):
    by_kind = {q.unit_kind: q for q in plan.quotas}
    assert by_kind["farmers_association"].min == 2  # "ít nhất 02 nông dân"
    assert by_kind["farmers_association"].subjects == ["individual"]
    assert by_kind["youth_union"].min == 2
    assert by_kind["school"].min == 1  # "mỗi Trường học ... ít nhất 01"
    assert by_kind["police"].min == 1
    assert by_kind["military"].min == 1
    assert by_kind["health_station"].min == 1
    assert by_kind["labour_union"].min == 1
    assert len(plan.quotas) == 12


def test_quotas_fall_on_the_commune_bodies(plan):
    # Each body is the commune's own: "Ban Tuyên giáo Đảng ủy", "... xã"; a village branch
    # (chi hội, chi đoàn, thôn đội) owes nothing. "mỗi Trường học trên địa bàn": no level.
    for quota in plan.quotas:
        expected = None if quota.unit_kind == "school" else "commune"
        assert quota.level == expected, quota.unit_kind
    by_kind = {q.unit_kind: q for q in plan.quotas}
    farmers = by_kind["farmers_association"]
    assert farmers.applies_at("farmers_association", "commune")
    assert not farmers.applies_at("farmers_association", "village")
    assert by_kind["school"].applies_at("school", "commune")


# -- deadlines


def test_mid_year_review_and_year_end_report(plan):
    # Mục II.5: "sơ kết ... gắn với việc sơ kết đánh giá kết quả thực hiện phong trào thi đua 6
    # tháng đầu năm 2023"; Mục III.2: the office–statistics civil servant consolidates, reports
    # and prepares the reviews. No day is given for either.
    assert len(plan.deadlines) == 2
    by_date = {d.date: d for d in plan.deadlines}
    assert set(by_date) == {dt.date(2023, 6, 30), dt.date(2023, 12, 31)}
    mid_year = by_date[dt.date(2023, 6, 30)]
    assert "6 tháng đầu năm 2023" in mid_year.title
    for deadline in plan.deadlines:
        assert deadline.yearly is None
        assert deadline.owed_by == "office"
        assert deadline.stage == "report"
        assert "Mục II.5" in deadline.cite


# -- criteria


def test_general_criteria_from_section_ii_1_and_2(plan):
    general = plan.criteria
    assert {c.cite for c in general} == {"Mục II.1", "Mục II.2"}
    for criterion in general:
        assert criterion.required
        assert criterion.subjects is None
    assert not unsaid(
        general,
        "thừa nhận, suy tôn",
        "cổ vũ, lôi cuốn, nêu gương",
        "lao động, sản xuất, học tập, công tác và chiến đấu",
        "nổi trội, dẫn đầu trong các phong trào thi đua",
        "chủ trương, đường lối của Đảng",
        "tương thân tương ái",
        "xây dựng các quỹ",
        "do tỉnh, thành phố và xã phát động",
    )
    assert one_saying(general, "thành tích tiêu biểu").kind == "evidence"


def test_poverty_movement_households(plan):
    category = _movement(plan, 4)
    households = plan.criteria_for(category.id, "household")
    title = one_saying(households, "Gia đình văn hóa")
    assert title.kind == "years" and title.title == "Gia đình văn hóa"
    assert "Thoát nghèo ổn định" in text_of(households)
    helpers = [c for c in category.criteria if c.subjects == ["collective", "individual"]]
    assert len(helpers) == 3
    assert "giảm nghèo bền vững" in text_of(helpers)


def test_farmer_model(plan):
    own = _movement(plan, 9).criteria
    assert one_saying(own, "Là nông dân").kind == "attest"
    assert one_saying(own, "Lợi nhuận").kind == "evidence"
    assert one_saying(own, "Gia đình văn hóa").kind == "years"
    assert one_saying(own, "môi trường").text == "Không ảnh hưởng xấu đến môi trường"


def test_office_culture_individual_rated_excellent(plan):
    own = _movement(plan, 3).criteria
    rating = one_saying(own, "hoàn thành xuất sắc nhiệm vụ được giao")
    assert rating.kind == "choice"
    assert rating.subjects == ["individual"]
    assert rating.accept == ["Hoàn thành xuất sắc nhiệm vụ"]
    assert one_saying(own, "trong sạch vững mạnh").subjects == ["collective"]


def test_security_no_hot_spots(plan):
    own = _movement(plan, 7).criteria
    hot_spots = one_saying(own, "Điểm nóng")
    assert hot_spots.kind == "number" and hot_spots.max == 0
    assert hot_spots.subjects == ["collective"]
    assert one_saying(own, "bản lĩnh chính trị").subjects == ["individual"]


def test_campaign_accepts_either_group(plan):
    (choice,) = _movement(plan, 5).criteria
    assert choice.kind == "choice"
    assert len(choice.accept) == 2
    assert any("tổ chức, chỉ đạo thực hiện cuộc vận động" in a for a in choice.accept)
    assert any("gương điển hình tiêu biểu" in a for a in choice.accept)
    assert set(choice.options) - set(choice.accept)  # a nominee in neither group is refused


def test_teaching_splits_teachers_and_pupils(plan):
    own = _movement(plan, 6).criteria
    pupils = one_saying(own, "Học sinh có thành tích học tập xuất sắc")
    assert pupils.kind == "choice" and pupils.subjects == ["individual"]
    assert "Học sinh nghèo vượt khó vươn lên trong học tập" in pupils.accept
    devoted = one_saying(own, "Tận tâm với nghề")
    assert devoted.kind == "choice" and "Không" not in devoted.accept


def test_youth_start_up_prizes_need_evidence(plan):
    own = _movement(plan, 10).criteria
    prize = one_saying(own, "đạt giải cao trong các cuộc thi về khởi nghiệp")
    assert prize.kind == "evidence" and prize.subjects == ["individual"]


def test_every_criterion_cites_its_movement(plan):
    for category in plan.categories:
        for criterion in category.criteria:
            rest = criterion.cite.removeprefix(category.cite)
            assert rest == "" or rest.startswith(" ("), criterion.id
    for criterion in plan.all_criteria():
        assert len(criterion.text) <= 200, criterion.id
