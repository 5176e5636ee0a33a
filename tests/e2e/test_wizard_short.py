"""Issue 28, end to end: yes/no criteria on one screen, one proof for several, a true counter,
a name given with its year of birth, and drafts saved before all this still resuming."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.workflow.criteria import Verdict, findings
from sandbox.client import SandboxClient
from storage.models import Evidence, Nomination
from tests.e2e.test_wizard import kontum_draft, proposer, step_counter, submitted_rows
from tests.e2e.wizard_driver import statements

GROUP = "bấm «Đúng cả»"  # on every group screen


async def the_draft(session_factory: async_sessionmaker[AsyncSession]) -> Nomination:
    [row] = await submitted_rows(session_factory)
    return row


async def test_a_group_screen_takes_the_numbers_of_what_is_not_met(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, plan, run = await kontum_draft(client, session_factory, 7101, GROUP)
    listed = statements(plan, run.text)
    assert len(listed) == 12  # every yes/no criterion of the category, on one screen
    assert "Điều 6.1.b, 44/2023/QĐ-UBND:" in run.text  # under the article they come from
    assert "📎" in run.text  # those needing proof are marked
    third = listed[3]
    unmet = await user.send("3")
    assert "Chưa đạt tiêu chí bắt buộc" in unmet.text and third.text in unmet.text
    draft = await the_draft(session_factory)
    assert draft.answers[third.id] == {"value": False}
    assert all(draft.answers[c.id]["value"] is True for n, c in listed.items() if n != 3)

    again = await user.press(text="1. Sửa câu trả lời")
    assert f"3. ❌ {third.text}" in again.text and "1. ✅ " in again.text
    wrong = await user.send("3, 40")  # no statement 40: said, and nothing changes
    assert "từ 1 đến 12" in wrong.text
    assert (await the_draft(session_factory)).answers[third.id] == {"value": False}

    await user.photo(caption="Giấy khen")
    moved = await user.press(text="Đúng cả")
    assert "Đạt 12/12 tiêu chí" in moved.text
    assert "làm minh chứng" not in moved.text  # the photo sent on the screen was the proof
    draft = await the_draft(session_factory)
    assert all(draft.answers[c.id]["value"] is True for c in listed.values())


async def test_one_photo_proves_the_criteria_the_plan_lets_it_prove(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, plan, run = await kontum_draft(client, session_factory, 7102, GROUP)
    proven = [c for c in statements(plan, run.text).values() if c.kind == "evidence"]
    assert {c.proof for c in proven} == {"thanh-tich"} and len(proven) == 2
    received = await user.photo(caption="Giấy khen")
    assert "Đã nhận 1 tệp minh chứng" in received.text
    await user.press(text="Đúng cả")
    draft = await the_draft(session_factory)
    assert all(draft.answers[c.id].get("files_done") for c in proven)
    async with session_factory() as session:
        files = (await session.scalars(select(Evidence))).all()
    assert [f.criterion_id for f in files] == [proven[0].id]  # kept once
    criteria = plan.criteria_for(draft.category_id or "", "individual")
    verdicts = {
        f.criterion.id: f.verdict
        for f in findings(criteria, draft.answers, {proven[0].id: 1})
        if f.criterion in proven
    }
    assert set(verdicts.values()) == {Verdict.MET}


async def test_one_by_one_keeps_the_group_number(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, plan, run = await kontum_draft(client, session_factory, 7103, GROUP)
    listed = statements(plan, run.text)
    single = await user.press(text="Từng ý một")
    assert f"«{listed[1].text}»" in single.text
    assert step_counter(single.text) == step_counter(run.text)  # a sub-step: the same number
    following = await user.send("1")  # "Có"
    assert f"«{listed[2].text}»" in following.text
    back = await user.press(text="◀ Quay lại")
    assert f"«{listed[1].text}»" in back.text
    draft = await the_draft(session_factory)
    assert draft.answers[listed[1].id] == {"value": True}


async def test_a_name_typed_with_its_year_of_birth_answers_both(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, _run = await kontum_draft(client, session_factory, 7104, "Họ và tên")
    sex = await user.send("A Blin (sn 12/05/1972)")
    assert "Giới tính?" in sex.text
    ethnicity = await user.send("1")
    assert "Dân tộc?" in ethnicity.text  # the year is not asked again
    draft = await the_draft(session_factory)
    assert (draft.nominee["name"], draft.nominee["birth_year"]) == ("A Blin", 1972)
    assert draft.nominee_key is not None and "1972" in draft.nominee_key


async def test_a_year_out_of_range_with_the_name_keeps_the_name_and_asks_the_year(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, _run = await kontum_draft(client, session_factory, 7105, "Họ và tên")
    sex = await user.send("Y Thị Hoa, 2030")
    assert "⚠️" in sex.text and "Giới tính?" in sex.text
    year = await user.send("2")
    assert "Năm sinh?" in year.text
    draft = await the_draft(session_factory)
    assert draft.nominee["name"] == "Y Thị Hoa" and "birth_year" not in draft.nominee


async def test_a_draft_saved_one_criterion_at_a_time_still_resumes(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Before groups, a draft stood on one criterion (``c:<id>``) with the ones before it
    answered; it opens on that criterion and goes on one by one."""
    user, plan, run = await kontum_draft(client, session_factory, 7106, GROUP)
    listed = statements(plan, run.text)
    group_number = step_counter(run.text)
    async with session_factory() as session:
        draft = await session.get(Nomination, (await the_draft(session_factory)).id)
        assert draft is not None
        draft.answers = {
            **draft.answers,
            listed[1].id: {"value": True},
            listed[2].id: {"value": True},
        }
        draft.step = f"c:{listed[3].id}"
        await session.commit()
    await user.send("/drafts")
    resumed = await user.press(text="1. Tiếp tục 1")
    assert f"«{listed[3].text}»" in resumed.text
    assert step_counter(resumed.text) == group_number
    following = await user.send("1")
    assert f"«{listed[4].text}»" in following.text


async def test_a_village_head_is_offered_only_the_plans_run_above_the_village(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Quảng Lạc's commune plan runs in Tân Lập in the demo: Đăk Ruồng's villages do not see it,
    Tân Lập's do."""
    druong = await proposer(client, session_factory, "village_head", "KT-KR-DRU-T3", 7107)
    offered = await druong.send("/propose")
    lines = [line for line in offered.text.splitlines() if line[:1].isdigit()]
    assert len(lines) == 2 and not any("Quảng Lạc" in line for line in lines), offered.text
    assert all("…/" not in line for line in lines)  # a real number, or the title alone
    tan_lap = await proposer(client, session_factory, "village_head", "KT-KR-TL-T1", 7108)
    offered = await tan_lap.send("/propose")
    assert "Quảng Lạc" in offered.text
