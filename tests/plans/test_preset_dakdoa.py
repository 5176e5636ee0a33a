"""The Đak Đoa preset against Kế hoạch 101/KH-UBND of 18/8/2021 (seed 002_e6c3707288e268a5.txt).

Every expected value here is read from the plan itself, not from the preset: if the preset drifts
from the document, these tests fail.
"""

from __future__ import annotations

import datetime as dt

from .conftest import one_saying, text_of, unsaid

PLAN_ID = "dakdoa-101-2021"

# Mục III.3.2, second bullet: two groups under one name.
GOOD_PEOPLE = "Mô hình, gương điển hình về người lao động, người tốt, việc tốt"

# Mục IV.1: "Các cơ quan, ban, ngành, Ủy ban Mặt trận Tổ quốc và các đoàn thể huyện": the
# district's bodies, by the kinds the preset gives them (agencies and district offices, the four
# sectors of the 05-07 range, the Front and the five socio-political organisations).
DISTRICT_BODIES = {
    "agency",
    "home_affairs_office",
    "ethnic_office",
    "culture_office",
    "education_office",
    "health_office",
    "agriculture_office",
    "labour_office",
    "justice_office",
    "police",
    "military",
    "fatherland_front",
    "farmers_association",
    "youth_union",
    "womens_union",
    "veterans_association",
    "labour_union",
}

# Mục III.3.1 (collective models, nine bullets) and III.3.2 (individuals), by key words of the
# model's name and the subjects the bullet describes.
MODELS = {
    "Mục III.3.1, gạch đầu dòng 1": ("cơ quan, đơn vị kiểu mẫu", {"collective"}),
    "Mục III.3.1, gạch đầu dòng 2": ("tổ chức hội, đoàn thể tiêu biểu", {"collective"}),
    "Mục III.3.1, gạch đầu dòng 3": ("tổ dân phố, thôn, làng, xã, thị trấn", {"collective"}),
    "Mục III.3.1, gạch đầu dòng 4": ("giáo dục, đào tạo", {"collective"}),
    # "các tập thể cơ quan, đơn vị, các y, bác sĩ, cán bộ và nhân viên ngành y tế"
    "Mục III.3.1, gạch đầu dòng 5": ("y tế, chăm sóc sức khỏe", {"collective", "individual"}),
    # "các tập thể, cán bộ, chiến sĩ thuộc lực lượng vũ trang"
    "Mục III.3.1, gạch đầu dòng 6": ("quốc phòng, an ninh", {"collective", "individual"}),
    "Mục III.3.1, gạch đầu dòng 7": ("chung sức xây dựng nông thôn mới", {"collective"}),
    "Mục III.3.1, gạch đầu dòng 8": ("sản xuất, kinh doanh", {"collective"}),
    # "Là hộ gia đình điển hình"
    "Mục III.3.1, gạch đầu dòng 9": ("chung tay vì người nghèo", {"household"}),
    "Mục III.3.2, gạch đầu dòng 1": ("cán bộ, chiến sỹ, công chức, viên chức", {"individual"}),
    "Mục III.3.2, gạch đầu dòng 2, ý 1": ("người lao động, người tốt, việc tốt", {"individual"}),
    "Mục III.3.2, gạch đầu dòng 2, ý 2": ("chức sắc tôn giáo", {"individual"}),
}


def _by_cite(plan):
    return {category.cite: category for category in plan.categories}


def test_plan_identity(plan):
    info = plan.plan
    assert info.id == PLAN_ID
    assert info.document == "101/KH-UBND"  # "Số: 101 /KH-UBND"
    assert info.issuer == "UBND huyện Đak Đoa"
    assert info.issued_on == dt.date(2021, 8, 18)  # "Dak Đoa, ngày 18 tháng 8 năm 2021"
    assert info.effective_on is None  # the plan names none
    assert "điển hình tiên tiến" in info.title
    assert "2021 – 2025" in info.title
    assert "Đak Đoa" in info.title
    assert info.title_en
    assert info.source == "002_e6c3707288e268a5.txt"


def test_period_is_2021_to_2025(plan):
    period = plan.plan.period
    assert period.start == dt.date(2021, 1, 1)
    assert period.end == dt.date(2025, 12, 31)


def test_honoured_every_year(plan):
    # Mục IV.3: "Hằng năm ... đánh giá, biểu dương và đề nghị cấp có thẩm quyền khen thưởng".
    assert plan.plan.honour_every_years == 1


def test_review_chain_commune_then_district_home_affairs(plan):
    # Mục IV.1: communes/towns select; Mục IV.3, V.1: lists and reports go to UBND huyện
    # "qua Phòng Nội vụ".
    info = plan.plan
    assert info.review_chain == ["commune", "district"]
    assert "Phòng Nội vụ" in info.review_bodies["district"]
    assert "UBND huyện" in info.review_bodies["district"]
    assert "xã, thị trấn" in info.review_bodies["commune"]


def test_twelve_categories_with_their_subjects(plan):
    assert len(plan.categories) == len(MODELS) == 12
    by_cite = _by_cite(plan)
    assert set(by_cite) == set(MODELS)
    for cite, (words, subjects) in MODELS.items():
        category = by_cite[cite]
        assert words in category.title, cite
        assert set(category.subjects) == subjects, cite
        assert category.title_en, cite
        assert category.lead is None  # the plan gives no movement to a leading body
        assert category.consultees == []  # and names no body to consult
    assert len(plan.categories_for("collective")) == 8
    assert len(plan.categories_for("individual")) == 5
    assert [c.cite for c in plan.categories_for("household")] == ["Mục III.3.1, gạch đầu dòng 9"]


def test_good_people_share_their_bullet_as_field(plan):
    by_cite = _by_cite(plan)
    for cite in ("Mục III.3.2, gạch đầu dòng 2, ý 1", "Mục III.3.2, gạch đầu dòng 2, ý 2"):
        assert by_cite[cite].field == GOOD_PEOPLE


# -- quotas, Mục IV.1


def test_communes_select_ten_to_fifteen(plan):
    (quota,) = [q for q in plan.quotas if q.unit_kind == "commune"]
    assert (quota.min, quota.max, quota.per) == (10, 15, "plan")
    assert quota.category is None and quota.subjects is None
    assert quota.cite == "Mục IV.1"
    assert "10-15" in quota.note


def test_police_military_education_health_select_five_to_seven(plan):
    sectors = {q.unit_kind: q for q in plan.quotas if q.min == 5}
    assert set(sectors) == {"police", "military", "education_office", "health_office"}
    for quota in sectors.values():
        assert (quota.min, quota.max, quota.per) == (5, 7, "plan")
        assert quota.level == "district"  # "ngành ... huyện", not a commune's police
        assert quota.category is None and quota.subjects is None
        assert quota.cite == "Mục IV.1"
        assert "05 - 07" in quota.note


def test_other_agencies_front_and_mass_organisations_at_leastone_saying(plan):
    # "Các cơ quan, ban, ngành, Ủy ban Mặt trận Tổ quốc và các đoàn thể huyện ... mỗi đơn vị ít
    # nhất 01-02": a floor of one, no ceiling.
    others = {q.unit_kind: q for q in plan.quotas if q.min == 1}
    assert set(others) == {
        "agency",
        "home_affairs_office",
        "ethnic_office",
        "culture_office",
        "agriculture_office",
        "labour_office",
        "justice_office",
        "fatherland_front",
        "farmers_association",
        "youth_union",
        "womens_union",
        "veterans_association",
        "labour_union",
    }
    for quota in others.values():
        assert quota.level == "district"  # "... các đoàn thể huyện"
        assert quota.max is None
        assert quota.per == "plan"
        assert quota.category is None and quota.subjects is None
        assert quota.cite == "Mục IV.1"
        assert "ít nhất 01-02" in quota.note


def test_no_other_quotas(plan):
    assert len(plan.quotas) == 1 + 4 + 13
    assert {q.unit_kind for q in plan.quotas} == DISTRICT_BODIES | {"commune"}


def test_district_numbers_do_not_reach_commune_bodies(plan):
    """A commune's police owes the communes' 10-15 through its commune, not the police's 5-7."""

    def owed(kind, level):
        return sorted((q.min, q.max) for q in plan.quotas if q.applies_at(kind, level))

    assert owed("police", "district") == [(5, 7)]
    assert owed("police", "commune") == []
    assert owed("health_office", "district") == [(5, 7)]
    assert owed("farmers_association", "district") == [(1, None)]
    assert owed("farmers_association", "commune") == []
    assert owed("fatherland_front", "village") == []
    # "Các xã, thị trấn": communes and townships, at their own level.
    assert owed("commune", "commune") == [(10, 15)]
    assert owed("township", "commune") == [(10, 15)]
    (communes,) = [q for q in plan.quotas if q.unit_kind == "commune"]
    assert communes.level is None


# -- deadlines


def _owed_by_agencies_and_localities(deadline):
    # Mục IV.3 and V.1: "các cơ quan, đơn vị, địa phương" = the district's bodies and the
    # communes/towns ("Nơi nhận": "Các cơ quan, ban, ngành, MTTQ và các đoàn thể huyện; UBND các
    # xã, thị trấn"): one obligation, one deadline.
    owed = deadline.owed_by_kinds
    assert isinstance(deadline.owed_by, list)
    assert len(owed) == len(set(owed))
    assert set(owed) == DISTRICT_BODIES | {"commune"}
    assert "district" not in owed and "village" not in owed


def test_registration_before_25_august_2021(plan):
    # Mục V.1: "gửi về UBND huyện (kèm theo danh sách lựa chọn, đăng ký mô hình qua Phòng Nội vụ)
    # trước ngày 25/8/2021" — owed by the agencies and the localities.
    (deadline,) = [d for d in plan.deadlines if d.cite == "Mục V.1"]
    _owed_by_agencies_and_localities(deadline)
    assert deadline.stage == "register"
    assert deadline.yearly is None
    assert deadline.date == dt.date(2021, 8, 24)  # the last day before the 25th
    assert "25/8/2021" in deadline.title


def test_yearly_report_by_15_december(plan):
    # Mục IV.3: "định kỳ 15/12 hằng năm báo cáo kết quả thực hiện về UBND huyện (qua Phòng Nội vụ)".
    (deadline,) = [d for d in plan.deadlines if d.stage == "report"]
    _owed_by_agencies_and_localities(deadline)
    assert deadline.yearly == "12-15"
    assert deadline.date is None
    assert deadline.cite == "Mục IV.3"
    days = [
        day
        for day, d in plan.deadlines_between(dt.date(2021, 1, 1), dt.date(2025, 12, 31))
        if d.stage == "report"
    ]
    assert days == [dt.date(year, 12, 15) for year in range(2021, 2026)]


def test_closing_proposals_in_2025(plan):
    # Mục IV.3: "đề nghị các cấp có thẩm quyền khen thưởng trong dịp Hội nghị điển hình tiên tiến
    # huyện Đak Đoa vào năm 2025".
    (deadline,) = [d for d in plan.deadlines if d.stage == "propose"]
    _owed_by_agencies_and_localities(deadline)
    assert deadline.date is not None and deadline.date.year == 2025
    assert deadline.cite == "Mục IV.3"
    assert "Hội nghị điển hình tiên tiến" in deadline.title


def test_no_other_deadlines(plan):
    # Three obligations, each written once for all who owe it.
    assert len(plan.deadlines) == 3
    assert len({d.title for d in plan.deadlines}) == 3


# -- criteria


def test_general_criteria_from_section_iii_1_and_2(plan):
    general = plan.criteria
    assert {c.cite for c in general} == {"Mục III.1", "Mục III.2"}
    for criterion in general:
        assert criterion.required
        assert criterion.subjects is None
    assert not unsaid(
        general,
        "thừa nhận, suy tôn",
        "cổ vũ, lôi cuốn, nêu gương",
        "lao động sản xuất, học tập, công tác, chiến đấu và phục vụ chiến đấu",
        "nổi trội, dẫn đầu trong các phong trào thi đua",
        "chủ trương đường lối của Đảng, chính sách pháp luật của Nhà nước",
        "tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "tương thân tương ái",
        "xây dựng các quỹ",
        "nhân đạo, từ thiện",
    )
    assert one_saying(general, "thành tích tiêu biểu").kind == "evidence"


def test_village_model_no_relapse_into_poverty_nor_social_evils(plan):
    own = _by_cite(plan)["Mục III.3.1, gạch đầu dòng 3"].criteria
    relapse = one_saying(own, "tái nghèo")
    assert relapse.kind == "number" and relapse.max == 0 and relapse.min is None
    evils = one_saying(own, "tệ nạn xã hội")
    assert evils.kind == "number" and evils.max == 0
    assert one_saying(own, "hương ước").kind == "evidence"
    assert one_saying(own, "tiêu chuẩn về văn hóa").kind == "evidence"
    assert one_saying(own, "việc cưới, việc tang").kind == "attest"


def test_model_agency_conditions(plan):
    own = _by_cite(plan)["Mục III.3.1, gạch đầu dòng 1"].criteria
    assert not unsaid(
        own,
        "cải cách hành chính",
        "tập thể đoàn kết",
        "cơ quan, đơn vị văn hóa",
        "chế độ làm việc",
        "tiết kiệm, chống lãng phí",
    )
    assert one_saying(own, "an ninh trật tự").kind == "evidence"
    assert one_saying(own, "trong sạch vững mạnh").kind == "evidence"


def test_poor_household_model(plan):
    own = _by_cite(plan)["Mục III.3.1, gạch đầu dòng 9"].criteria
    title = one_saying(own, "Gia đình văn hóa")
    assert title.kind == "years"
    assert title.title == "Gia đình văn hóa"
    assert title.years >= 1
    assert one_saying(own, "cao nhất trong số các hộ gia đình").kind == "evidence"


def test_business_standards_split(plan):
    own = _by_cite(plan)["Mục III.3.1, gạch đầu dòng 8"].criteria
    for words in ("an toàn lao động", "an ninh trật tự", "môi trường"):
        assert one_saying(own, f"Đạt tiêu chuẩn {words}").kind == "attest"
    assert one_saying(own, "nộp ngân sách nhà nước").kind == "evidence"


def test_cadres_rated_excellent_and_leader_conditions(plan):
    own = _by_cite(plan)["Mục III.3.2, gạch đầu dòng 1"].criteria
    rating = one_saying(own, "hoàn thành xuất sắc nhiệm vụ được giao")
    assert rating.kind == "choice"
    assert rating.accept == ["Hoàn thành xuất sắc nhiệm vụ"]
    assert "Hoàn thành tốt nhiệm vụ" in rating.options
    leaders = [c for c in own if c.text.startswith("Đối với cá nhân giữ chức vụ lãnh đạo, quản lý")]
    assert len(leaders) == 3
    for criterion in leaders:
        assert criterion.kind == "choice"
        assert "Không" in criterion.options and "Không" not in criterion.accept
        assert "Có" in criterion.accept
        assert any(o.startswith("Không áp dụng") for o in criterion.accept)
    assert text_of(own).count("văn hóa công sở") == 1


def test_good_people_and_residents_keep_cultured_family_title(plan):
    by_cite = _by_cite(plan)
    for cite in ("Mục III.3.2, gạch đầu dòng 2, ý 1", "Mục III.3.2, gạch đầu dòng 2, ý 2"):
        (title,) = [c for c in by_cite[cite].criteria if c.kind == "years"]
        assert "ia đình văn hóa" in title.text, cite
        assert title.title == "Gia đình văn hóa", cite
    workers = by_cite["Mục III.3.2, gạch đầu dòng 2, ý 1"].criteria
    assert one_saying(workers, "sáng kiến cải tiến kỹ thuật").kind == "evidence"
    residents = by_cite["Mục III.3.2, gạch đầu dòng 2, ý 2"].criteria
    assert "nông thôn mới, đô thị văn minh" in text_of(residents)


def test_militia_clauses_are_not_required_of_everyone(plan):
    own = _by_cite(plan)["Mục III.3.1, gạch đầu dòng 6"].criteria
    assert not one_saying(own, "dân quân, tự vệ, công an viên").required
    assert not one_saying(own, "cứu người").required
    assert one_saying(own, "sẵn sàng chiến đấu").required


def test_every_criterion_cites_its_section(plan):
    for category in plan.categories:
        for criterion in category.criteria:
            assert criterion.cite == category.cite, criterion.id
    for criterion in plan.all_criteria():
        assert len(criterion.text) <= 330, criterion.id
