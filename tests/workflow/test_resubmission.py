"""What a reviewer is shown of a resubmission: the changes since the return (issue 29)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.review_changes import changes_lines
from bot.i18n import use_locale
from bot.workflow import nominations, resubmission, review
from bot.workflow.nominations import plan_of
from storage.models import Evidence
from tests.workflow.seeded import TODAY, actor, seeded_database
from tests.workflow.test_review_rules import EXTRA_PEOPLE, decide, propose

seeded_file, database_url = seeded_database(tiny_plans=True, people=EXTRA_PEOPLE)


async def test_the_changes_since_a_return_are_listed(session: AsyncSession) -> None:
    nomination = await propose(session, 1001)
    assert await resubmission.since_last_round(session, nomination) is None  # first round
    await decide(session, 1003, nomination, review.RETURN, "Năm sinh chưa đúng")
    assert nomination.state == "returned"

    nomination.nominee = {**nomination.nominee, "birth_year": 1981}
    nomination.achievements = "Nhiều năm giúp đỡ bà con, lập tổ vay vốn"
    # The same answer typed again is no change; its time of typing is not compared.
    nomination.answers = {"guong-mau": {"value": True, "at": "2026-12-06T08:00:00"}}
    session.add(
        Evidence(
            nomination_id=nomination.id,
            criterion_id="guong-mau",
            kind="photo",
            file_id="F-new",
            file_unique_id="U-new",
        )
    )
    who = await actor(session, 1001)
    assert (await nominations.submit(session, who, nomination, TODAY)).submitted
    await review.enter_chain(session, nomination)
    await session.flush()

    changes = await resubmission.since_last_round(session, nomination)
    assert changes is not None and changes
    assert changes.nominee == ["birth_year"]
    assert changes.achievements and changes.criteria == []
    assert changes.files_added == {"guong-mau": 1}
    with use_locale("vi"):
        lines = changes_lines(nomination, plan_of(nomination), changes)
    assert lines[0] == "🔁 Đã sửa từ khi trả lại:"
    assert "  • Năm sinh: 1980 → 1981" in lines
    assert any(
        line.startswith("  • Thành tích: Nhiều năm giúp đỡ bà con trong thôn →") for line in lines
    )
    assert "  • Thêm 1 tệp cho: Gương mẫu chấp hành pháp luật" in lines
