"""A small plan that uses every part of the format, and helpers to break it on purpose."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.i18n import get_locale, set_locale
from bot.plans.loader import PlanError, load_plan_text, load_preset
from bot.plans.schema import Criterion, Plan

FILE = "t.toml"

VALID_PLAN = """\
[plan]
id = "xa-thu"
title = "Kế hoạch xây dựng điển hình tiên tiến xã Thử"
title_en = "Test commune exemplar plan"
document = "1/KH-UBND"
issuer = "UBND xã Thử"
issued_on = 2026-01-10
effective_on = 2026-01-15
period = { start = 2026-01-01, end = 2027-12-31 }
review_chain = ["commune", "district"]
review_bodies = { district = "Phòng Nội vụ huyện" }
honour_every_years = 2
source = "thu.pdf"
cite = "Mục IV"

[[deadline]]
id = "dang-ky"
title = "Đăng ký danh sách"
date = 2026-03-31
owed_by = "village"
stage = "register"
cite = "Mục IV.1"

[[deadline]]
id = "bao-cao"
title = "Báo cáo kết quả"
yearly = "12-15"
owed_by = "commune"
stage = "report"
cite = "Mục IV.2"

[[quota]]
unit_kind = "commune"
min = 2
max = 5
per = "year"
cite = "Mục IV.3"

[[quota]]
unit_kind = "farmers_association"
category = "nong-dan"
subjects = ["individual"]
min = 1
cite = "Mục IV.4"
note = "Mỗi chi hội ít nhất 01 gương"

[[criterion]]
id = "chap-hanh"
text = "Chấp hành tốt chủ trương, chính sách"
text_en = "Abides by the Party's and State's policies"
kind = "attest"
cite = "Mục III.1"

[[criterion]]
id = "gia-dinh-van-hoa"
text = "Đạt danh hiệu Gia đình văn hóa liên tục"
kind = "years"
years = 3
title = "Gia đình văn hóa"
subjects = ["household"]
cite = "Mục III.1.b"

[[category]]
id = "nong-dan"
title = "Nông dân sản xuất, kinh doanh giỏi"
title_en = "Good farmer"
subjects = ["individual", "household"]
lead = "farmers_association"
cite = "Mục III.2"

  [[category.criterion]]
  id = "thu-nhap"
  text = "Thu nhập bình quân cao hơn mức chung của địa phương"
  kind = "number"
  min = 100
  unit = "%"
  cite = "Mục III.2.a"

  [[category.criterion]]
  id = "anh-mo-hinh"
  text = "Ảnh mô hình sản xuất"
  kind = "evidence"
  min_files = 2
  subjects = ["individual"]
  required = false
  cite = "Mục III.2.b"

[[category]]
id = "thon"
title = "Thôn tiêu biểu"
subjects = ["collective"]
field = "a"
consultees = ["police", "fatherland_front"]
consult_cite = "Mục IV.5"
cite = "Mục III.3"

  [[category.criterion]]
  id = "xep-loai"
  text = "Xếp loại thôn"
  kind = "choice"
  options = ["Tốt", "Khá", "Trung bình"]
  accept = ["Tốt", "Khá"]
  cite = "Mục III.3.a"

  [[category.criterion]]
  id = "mo-ta"
  text = "Mô tả cách làm hay"
  kind = "text"
  min_length = 20
  max_length = 500
  cite = "Mục III.3.b"
"""


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """Apply exact replacements, each of which must match exactly once (keeps tests honest)."""
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def refused(text: str) -> list[str]:
    """The problems a refused file reports; fails the test if the file loads."""
    with pytest.raises(PlanError) as info:
        load_plan_text(text, FILE)
    error = info.value
    assert error.file == FILE
    assert error.problems, "a refusal must say why"
    assert str(error) == "\n".join(error.problems)
    assert all(p.startswith(f"{FILE}: ") for p in error.problems)
    return error.problems


@pytest.fixture
def valid_text() -> str:
    return VALID_PLAN


@pytest.fixture(autouse=True)
def english():
    """The loader speaks the reader's language; these tests read its English."""
    before = get_locale()
    set_locale("en")
    yield
    set_locale(before)


@pytest.fixture(scope="module")
def plan(request: pytest.FixtureRequest) -> Plan:
    """The shipped preset whose id the test module names in PLAN_ID."""
    return load_preset(request.module.PLAN_ID)


def text_of(criteria: Sequence[Criterion]) -> str:
    """The criteria's texts in one string, to look for the document's words in."""
    return " | ".join(c.text for c in criteria)


def one_saying(criteria: Sequence[Criterion], words: str) -> Criterion:
    """The one criterion whose text holds ``words`` (fails if none or several do)."""
    (found,) = [c for c in criteria if words in c.text]
    return found


def unsaid(criteria: Sequence[Criterion], *phrases: str) -> list[str]:
    """The document's phrases that no criterion's text holds (an empty list when all are)."""
    texts = text_of(criteria)
    return [phrase for phrase in phrases if phrase not in texts]
