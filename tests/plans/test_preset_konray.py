"""The Kon Rẫy preset against the district plan 2023–2025 (seed 001_75ec505cb2f0369e.txt).

Every expected value here is read from the plan itself (Kế hoạch xây dựng tiêu chuẩn và nhân rộng
điển hình tiên tiến giai đoạn 2023 - 2025 trên địa bàn huyện Kon Rẫy), not from the preset: if
the preset drifts from the document, these tests fail. Where the document is silent (no number,
no date, no day for the year-end review), the tests pin the reading the preset documents.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

PLAN_ID = "konray-2023-2025"
SEED = Path("/work/shared/seeds/001_75ec505cb2f0369e.txt")

# Mục III.3.a: the collective models, in the document's order, by their bold names.
COLLECTIVE_MODELS = [
    "Mô hình cơ quan, đơn vị kiểu mẫu",
    "Mô hình tổ chức hội, đoàn thể tiêu biểu",
    "Mô hình khu dân cư, thôn, làng, xã, thị trấn văn hóa",
    "Mô hình trong lĩnh vực giáo dục, đào tạo có chất lượng",
    "Mô hình trong lĩnh vực y tế, chăm sóc sức khỏe nhân dân",
    "Mô hình trong lĩnh vực công thương và khoa học, công nghệ",
    "Mô hình trong lĩnh vực tài chính, ngân hàng",
    "Mô hình trong lĩnh vực văn hóa, nghệ thuật, thể dục thể thao",
    "Mô hình trong lĩnh vực thông tin và truyền thông",
    "Mô hình trong lĩnh vực đối ngoại",
    "Mô hình trong thực hiện nhiệm vụ quốc phòng, an ninh",
    "Mô hình trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Mô hình trong sản xuất, kinh doanh và phong trào thi đua “Doanh nghiệp Việt Nam hội nhập"
    " và phát triển”",
    "Mô hình trong phong trào thi đua “Kon Tum chung sức xây dựng nông thôn mới”",
    "Mô hình trong phong trào thi đua “Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại"
    " phía sau”",
    "Mô hình trong phong trào thi đua “Cán bộ, công chức, viên chức thi đua thực hiện văn hóa"
    " công sở”",
    "Mô hình trong Phong trào thi đua đặc biệt “Nhân dân huyện Kon Rẫy đoàn kết, đồng lòng cùng"
    " Nhân dân cả nước thi đua phòng, chống và chiến thắng đại dịch COVID-19”",
    "Mô hình trong phong trào thi đua đẩy mạnh công tác cải cách hành chính nhà nước trên địa"
    " bàn huyện Kon Rẫy, giai đoạn 2023 -2030",
]

# Mục III.3.b: the individual exemplars, by words of their item ("ý 1.1" … "ý 2.2").
INDIVIDUAL_ITEMS = {
    "Mục III.3.b, ý 1.1": "cán bộ, chiến sỹ, công chức, viên chức, người lao động",
    "Mục III.3.b, ý 1.2": "lãnh đạo, quản lý",
    "Mục III.3.b, ý 2.1": "người lao động, người tốt, việc tốt",
    "Mục III.3.b, ý 2.2": "chức sắc tôn giáo",
}

# Mục IV.3: which district body leads which model (by the model's bullet in Mục III.3.a).
LEADS = {
    "Mục III.3.a, ý 14": "agriculture_office",  # ý 1: “Kon Tum chung sức xây dựng nông thôn mới”
    "Mục III.3.a, ý 6": "agriculture_office",  # ý 1: nghiên cứu khoa học, sáng kiến, sáng tạo
    "Mục III.3.a, ý 3": "culture_office",  # ý 2: “Toàn dân đoàn kết xây dựng đời sống văn hóa”
    "Mục III.3.a, ý 4": "education_office",  # ý 3: “Dạy tốt - Học tốt”
    "Mục III.3.a, ý 11": "police",  # ý 4: Công an huyện (and Ban CHQS huyện, each its branch)
    "Mục III.3.a, ý 5": "office",  # ý 5: Văn phòng HĐND-UBND huyện
    "Mục III.3.a, ý 15": "labour_office",  # ý 6: “Cả nước chung tay vì người nghèo ...”
    "Mục III.3.a, ý 16": "home_affairs_office",  # ý 7: “... văn hóa công sở”
    "Mục III.3.a, ý 18": "home_affairs_office",  # ý 7: cải cách hành chính 2023-2030
    "Mục III.3.a, ý 12": "propaganda_board",  # ý 9: Ban Tuyên giáo Huyện ủy
    "Mục IV.3, ý 8": "justice_office",  # ý 8: Phòng Tư pháp, phổ biến, giáo dục pháp luật
}

# Mục IV.3, ý 10: "Mỗi cơ quan, đơn vị thuộc huyện ... ít nhất 01"; the district bodies.
DISTRICT_BODY_KINDS = {
    "agency",
    "office",  # Văn phòng HĐND-UBND huyện (Mục IV.3, ý 6)
    "home_affairs_office",
    "ethnic_office",
    "culture_office",
    "education_office",
    "health_office",
    "agriculture_office",
    "labour_office",
    "justice_office",
    "propaganda_board",
    "police",
    "military",
    "school",
}


def _by_cite(plan):
    return {category.cite: category for category in plan.categories}


def _criterion(category, words):
    found = [c for c in category.criteria if words in c.text]
    assert len(found) == 1, f"{category.id}: {len(found)} criteria contain {words!r}"
    return found[0]


def test_plan_identity(plan):
    info = plan.plan
    assert info.id == PLAN_ID
    assert info.issuer == "UBND huyện Kon Rẫy"
    # The seed keeps no number: only the form of a People's Committee plan.
    assert info.document.endswith("/KH-UBND")
    assert "nhân rộng điển hình tiên tiến" in info.title
    assert "2023 - 2025" in info.title
    assert "Kon Rẫy" in info.title
    # "giai đoạn 2023 - 2025"
    assert info.period.start == dt.date(2023, 1, 1)
    assert info.period.end == dt.date(2025, 12, 31)
    # Issued to carry out Kế hoạch số 274/KH-UBND ngày 01/02/2023 of the province: not before it.
    assert dt.date(2023, 2, 1) <= info.issued_on <= info.period.end
    assert info.effective_on is None
    assert info.source == "001_75ec505cb2f0369e.txt"
    # Mục IV.1: honoured "Hàng năm ... vào dịp tổng kết công tác năm".
    assert info.honour_every_years == 1


def test_review_chain(plan):
    info = plan.plan
    # Mục IV.3: each commune/township selects; Mục IV.2, IV.7: sent to UBND huyện through
    # Phòng Nội vụ, which appraises and proposes commendation.
    assert info.review_chain == ["commune", "district"]
    district = info.review_bodies["district"]
    assert "Phòng Nội vụ" in district
    assert "Hội đồng Thi đua - Khen thưởng" in district
    assert "xã, thị trấn" in info.review_bodies["commune"]


def test_categories_and_subjects(plan):
    by_cite = _by_cite(plan)
    # 18 collective bullets + 4 individual items + the legal-education field of Mục IV.3, ý 8.
    assert len(plan.categories) == len(COLLECTIVE_MODELS) + len(INDIVIDUAL_ITEMS) + 1 == 23
    for n, title in enumerate(COLLECTIVE_MODELS, start=1):
        category = by_cite[f"Mục III.3.a, ý {n}"]
        assert category.title == title
        assert category.title_en
        # "Cả nước chung tay vì người nghèo" names collectives and typical households.
        expected = ["collective", "household"] if n == 15 else ["collective"]
        assert category.subjects == expected, category.id
    for cite, words in INDIVIDUAL_ITEMS.items():
        category = by_cite[cite]
        assert words in category.title, cite
        assert category.subjects == ["individual"]
        assert category.title_en
    legal = by_cite["Mục IV.3, ý 8"]
    assert "phổ biến, giáo dục pháp luật" in legal.title
    assert set(legal.subjects) == {"collective", "individual"}
    assert [c.id for c in plan.categories_for("household")] == [by_cite["Mục III.3.a, ý 15"].id]


def test_collective_models_match_the_seed(plan):
    """The bold model names of Mục III.3.a, read from the seed itself when it is at hand."""
    if not SEED.exists():
        pytest.skip("seed document not available")
    text = SEED.read_text(encoding="utf-8")
    section = text[text.index("a) Đối với tập thể") : text.index("b) Đối với cá nhân")]
    names = [
        re.sub(r"\s+", " ", name).strip().rstrip(":").strip()
        for name in re.findall(r"^- \*\*(.+?)\*\*", section, flags=re.M)
    ]
    assert len(names) == 18
    titles = [c.title for c in plan.categories if c.cite.startswith("Mục III.3.a")]
    assert [n.rstrip(":") for n in names] == titles


def test_leads_and_consultees(plan):
    by_cite = _by_cite(plan)
    for cite, lead in LEADS.items():
        assert by_cite[cite].lead == lead, cite
    led = {c.id for c in plan.categories if c.lead is not None}
    assert led == {by_cite[cite].id for cite in LEADS}
    # Mục IV.3, ý 5: Văn phòng HĐND-UBND huyện "chủ trì, phối hợp với Trung tâm Y tế huyện".
    health = by_cite["Mục III.3.a, ý 5"]
    assert health.consultees == ["health_office"]
    assert health.consult_cite == "Mục IV.3, ý 5"
    assert [c.id for c in plan.categories if c.consultees] == [health.id]


def test_quotas(plan):
    quotas = plan.quotas
    for quota in quotas:
        # Mục IV.3 opens "Hằng năm"; no maximum, no category, any subject.
        assert quota.per == "year"
        assert quota.max is None
        assert quota.category is None
        assert quota.subjects is None
    # "mỗi xã, thị trấn ít nhất 02 điển hình tiêu biểu" (Mục IV.3, ý 11)
    communes = [q for q in quotas if q.unit_kind == "commune"]
    assert len(communes) == 1
    assert communes[0].min == 2
    assert communes[0].cite == "Mục IV.3, ý 11"
    # "Mỗi cơ quan, đơn vị thuộc huyện ... ít nhất 01" (Mục IV.3, ý 10)
    agencies = [q for q in quotas if q.unit_kind != "commune"]
    assert {q.unit_kind for q in agencies} == DISTRICT_BODY_KINDS
    assert len(agencies) == len(DISTRICT_BODY_KINDS)
    for quota in agencies:
        assert quota.min == 1
        assert quota.cite == "Mục IV.3, ý 10"


def test_agency_quota_is_for_district_bodies_only(plan):
    # "Mỗi cơ quan, đơn vị thuộc huyện": the district's own bodies, not a commune's police,
    # military command or office–statistics staff. Schools carry no level (the district's schools
    # stand in the communes; the preset documents that reading).
    levelled = {q.unit_kind: q for q in plan.quotas if q.cite == "Mục IV.3, ý 10"}
    for kind, quota in levelled.items():
        assert quota.level == (None if kind == "school" else "district"), kind
    police = levelled["police"]
    assert police.applies_at("police", "district")
    assert not police.applies_at("police", "commune")
    assert not police.applies_at("military", "district")
    assert levelled["school"].applies_at("school", "commune")
    assert levelled["school"].applies_at("school", "district")
    # "mỗi xã, thị trấn" (ý 11): every commune and township, whatever reaches it.
    (communes,) = [q for q in plan.quotas if q.unit_kind == "commune"]
    assert communes.level is None
    assert communes.applies_at("township", "commune")
    assert not communes.applies_at("village", "village")


def test_deadlines(plan):
    # Mục IV.1: "Hàng năm ... các cơ quan, đơn vị, địa phương tiến hành biểu dương, khen thưởng vào
    # dịp tổng kết công tác năm": one obligation of the localities, the district and its bodies;
    # no day, so the year's last day.
    (deadline,) = plan.deadlines
    assert deadline.yearly == "12-31"
    assert deadline.date is None
    assert deadline.stage == "honour"
    assert deadline.cite.startswith("Mục IV.1")
    owed = deadline.owed_by_kinds
    assert len(owed) == len(set(owed))
    assert {"commune", "district"} <= set(owed)  # "địa phương"; the district's own review (IV.7)
    assert DISTRICT_BODY_KINDS <= set(owed)  # "cơ quan, đơn vị"
    # Mục IV.1 addresses "Các cơ quan ban, ngành, đoàn thể huyện": the Front and mass organisations.
    assert {"fatherland_front", "farmers_association", "youth_union", "womens_union"} <= set(owed)
    assert "village" not in owed  # villages play no named part
    days = plan.deadlines_between(dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    assert [day for day, _ in days] == [dt.date(y, 12, 31) for y in (2023, 2024, 2025)]


def test_general_criteria(plan):
    general = plan.criteria
    # Mục III.2 "Tiêu chí chung", split into its five conditions, for every subject.
    assert len(general) == 5
    assert all(c.cite == "Mục III.2" for c in general)
    assert all(c.subjects is None for c in general)
    texts = " | ".join(c.text for c in general)
    for words in (
        "thành tích tiêu biểu, xuất sắc",
        "dẫn đầu trong các phong trào thi đua",
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "tương thân tương ái",
        "nhân đạo, từ thiện",
    ):
        assert words in texts


def test_ho_chi_minh_model_thresholds(plan):
    hcm = _by_cite(plan)["Mục III.3.a, ý 12"]
    # "trên 70% cán bộ, đảng viên (trong đó có 100% cán bộ lãnh đạo, quản lý)"
    members = _criterion(hcm, "cán bộ, đảng viên")
    assert (members.kind, members.min, members.unit) == ("number", 70, "%")
    leaders = _criterion(hcm, "cán bộ lãnh đạo, quản lý")
    assert (leaders.kind, leaders.min, leaders.unit) == ("number", 100, "%")
    # "không có cá nhân vi phạm khuyết điểm đến mức phải thi hành kỷ luật"
    discipline = _criterion(hcm, "thi hành kỷ luật")
    assert (discipline.kind, discipline.max) == ("number", 0)
    # "tổ chức Đảng được đánh giá hoàn thành xuất sắc nhiệm vụ"
    party = _criterion(hcm, "Tổ chức Đảng")
    assert party.kind == "choice"
    assert party.accept == ["Hoàn thành xuất sắc nhiệm vụ"]
    # "liên tục hoàn thành xuất sắc nhiệm vụ chính trị được giao"
    running = _criterion(hcm, "Liên tục hoàn thành xuất sắc")
    assert (running.kind, running.title) == ("years", "Hoàn thành xuất sắc nhiệm vụ")
    assert running.years >= 2


def test_administrative_reform_no_late_dossiers(plan):
    reform = _by_cite(plan)["Mục III.3.a, ý 18"]
    late = _criterion(reform, "trễ hẹn")
    assert (late.kind, late.max) == ("number", 0)
    assert late.required


def test_cultured_village_criteria(plan):
    village = _by_cite(plan)["Mục III.3.a, ý 3"]
    assert _criterion(village, "tái nghèo").max == 0
    assert _criterion(village, "tệ nạn xã hội").max == 0
    assert _criterion(village, "hương ước").kind == "evidence"
    # "kết quả bình xét cuối năm phải đạt tiêu chuẩn về văn hóa, an toàn về ANTT"
    assert _criterion(village, "tiêu chuẩn về văn hóa").kind == "evidence"
    assert _criterion(village, "an toàn về an ninh trật tự").kind == "evidence"


def test_cultured_family_every_year(plan):
    by_cite = _by_cite(plan)
    for cite in ("Mục III.3.a, ý 15", "Mục III.3.b, ý 2.1", "Mục III.3.b, ý 2.2"):
        (family,) = [c for c in by_cite[cite].criteria if c.kind == "years"]
        assert family.title == "Gia đình văn hóa", cite
        assert family.years == 3, cite  # "hàng năm", read over the plan's three years
    poor = by_cite["Mục III.3.a, ý 15"]
    assert _criterion(poor, "Gia đình văn hóa").subjects == ["household"]
    assert _criterion(poor, "cao nhất").subjects == ["household"]


def test_officials_rated_excellent_every_year(plan):
    by_cite = _by_cite(plan)
    for cite in ("Mục III.3.b, ý 1.1", "Mục III.3.b, ý 1.2"):
        rated = _criterion(by_cite[cite], "xếp loại hoàn thành xuất sắc")
        assert (rated.kind, rated.title) == ("years", "Hoàn thành xuất sắc nhiệm vụ")
    # Leaders: "tập thể do người đó đứng đầu là tập thể điển hình hoàn thành xuất sắc nhiệm vụ"
    leaders = by_cite["Mục III.3.b, ý 1.2"]
    assert _criterion(leaders, "người đứng đầu").kind == "attest"
    assert _criterion(leaders, "Tập thể do người đó đứng đầu").kind == "evidence"


def test_every_criterion_cites_its_bullet(plan):
    for category in plan.categories:
        assert category.criteria, category.id
        for criterion in category.criteria:
            if category.id.startswith("can-bo-lanh-dao"):
                # the leader repeats the first item's conditions and adds its own
                assert criterion.cite in ("Mục III.3.b, ý 1.1", category.cite)
            else:
                assert criterion.cite == category.cite, criterion.id


def test_criteria_for(plan):
    general = [c.id for c in plan.criteria]
    poor = _by_cite(plan)["Mục III.3.a, ý 15"]
    household = [c.id for c in plan.criteria_for(poor.id, "household")]
    collective = [c.id for c in plan.criteria_for(poor.id, "collective")]
    assert household[: len(general)] == general
    assert collective[: len(general)] == general
    own_household = [c.id for c in poor.criteria if c.subjects == ["household"]]
    own_collective = [c.id for c in poor.criteria if c.subjects == ["collective"]]
    assert household[len(general) :] == own_household
    assert collective[len(general) :] == own_collective
    assert len(own_household) == 6 and len(own_collective) == 1
    assert plan.criteria_for(poor.id, "individual") == ()
    people = _by_cite(plan)["Mục III.3.b, ý 2.2"]
    assert [c.id for c in plan.criteria_for(people.id, "individual")] == general + [
        c.id for c in people.criteria
    ]
