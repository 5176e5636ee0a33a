"""The vocabulary of unit kinds shared by the unit tree, plan files and the review chain.

Administrative kinds belong to a *level* (province, district, commune, village): a plan's review
chain and quotas speak of levels ("commune" covers communes, wards and townships alike), while a
unit in the tree has a precise kind. Organisation kinds (police, school, Farmers' Association, …)
sit under an administrative unit and take its level. The tree has no fixed depth: since 1 July 2025
a province may have communes directly under it, and nothing here assumes a district exists.
"""

from __future__ import annotations

from typing import Final

#: The administrative levels, top down.
LEVELS: Final[tuple[str, ...]] = ("province", "district", "commune", "village")

#: Administrative unit kinds and the level each belongs to.
ADMIN_KINDS: Final[dict[str, str]] = {
    "province": "province",  # tỉnh, thành phố trực thuộc trung ương
    "district": "district",  # huyện
    "town": "district",  # thị xã
    "city": "district",  # thành phố thuộc tỉnh
    "commune": "commune",  # xã
    "ward": "commune",  # phường
    "township": "commune",  # thị trấn
    "village": "village",  # thôn, làng, bản, buôn, plei, tổ dân phố
}

#: Organisations: agencies, associations, schools, forces, enterprises.
ORG_KINDS: Final[frozenset[str]] = frozenset(
    {
        "party_committee",  # cấp ủy, đảng bộ, chi bộ
        "propaganda_board",  # Ban Tuyên giáo
        "people_committee",  # UBND
        "agency",  # a government office or department in general
        "home_affairs_office",  # Phòng Nội vụ (Hội đồng Thi đua – Khen thưởng)
        "ethnic_office",  # Phòng Dân tộc / Ban Dân tộc
        "culture_office",  # Phòng Văn hóa – Thông tin
        "education_office",  # Phòng Giáo dục và Đào tạo
        "health_office",  # Phòng Y tế, Trung tâm Y tế
        "agriculture_office",  # Phòng Nông nghiệp, Phòng Kinh tế
        "labour_office",  # Phòng Lao động – Thương binh và Xã hội
        "justice_office",  # Phòng Tư pháp
        "police",  # Công an
        "military",  # Ban Chỉ huy Quân sự
        "health_station",  # Trạm Y tế
        "school",  # trường học
        "fatherland_front",  # Ủy ban MTTQ Việt Nam
        "farmers_association",  # Hội Nông dân
        "youth_union",  # Đoàn Thanh niên
        "womens_union",  # Hội Liên hiệp Phụ nữ
        "veterans_association",  # Hội Cựu chiến binh
        "elderly_association",  # Hội Người cao tuổi
        "red_cross",  # Hội Chữ thập đỏ
        "labour_union",  # Công đoàn
        "cooperative",  # hợp tác xã
        "enterprise",  # doanh nghiệp
        "office",  # văn phòng, công chức chuyên môn
    }
)

ALL_KINDS: Final[frozenset[str]] = frozenset(ADMIN_KINDS) | ORG_KINDS


def is_known_kind(kind: str) -> bool:
    return kind in ALL_KINDS


def is_level(name: str) -> bool:
    return name in LEVELS


def level_of_kind(kind: str) -> str | None:
    """The administrative level of an administrative kind; None for an organisation."""
    return ADMIN_KINDS.get(kind)


def kind_matches(unit_kind: str, wanted: str) -> bool:
    """Whether a unit of ``unit_kind`` is what a plan means by ``wanted``.

    A plan may name a level ("commune": any commune, ward or township) or a precise kind
    ("police", "ward").
    """
    if unit_kind == wanted:
        return True
    return wanted in LEVELS and ADMIN_KINDS.get(unit_kind) == wanted
