"""Issue 4, end to end: proposing under each preset, criteria checks, drafts, bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.handlers.wizard import today
from bot.plans.loader import load_preset
from bot.plans.schema import Plan
from bot.workflow.criteria import Verdict, findings
from bot.workflow.invitations import accept_invitation, create_invitation
from bot.workflow.users import Contact, get_or_register
from sandbox.client import SandboxClient, SimUser
from storage.models import AuditEntry, Evidence, Nomination, User
from tests.e2e.wizard_driver import Run, complete, statements

#: Where each preset runs in the demo data, and which demo unit proposes under it.
PROPOSERS = {
    "kontum-44-2023": ("village_head", "KT-KR-DRU-T3"),
    "konray-2023-2025": ("village_head", "KT-KR-DRU-T3"),
    "quanglac-2023": ("commune_officer", "KT-KR-TL-HND"),
    "dakdoa-101-2021": ("commune_officer", "KT-DH-DM"),
    "dalat-2023": ("village_head", "KT-DH-HM-T1"),
}


async def proposer(
    client: SandboxClient,
    session_factory: async_sessionmaker[AsyncSession],
    role: str,
    unit: str,
    telegram_id: int,
    language: str = "vi",
) -> SimUser:
    async with session_factory() as session:
        code, _ = await create_invitation(session, role=role, unit_code=unit, issuer=None, days=1)
        user = await get_or_register(session, Contact(telegram_id, "Người đề xuất", None, language))
        await accept_invitation(session, user, code)
        await session.commit()
    return await client.user(telegram_id, "Người đề xuất", language_code=language, started=True)


def step_counter(text: str) -> tuple[int, int] | None:
    """The "Bước k/n" of a screen, if it has one."""
    match = re.search(r"Bước (\d+)/(\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else None


async def submitted_rows(session_factory: async_sessionmaker[AsyncSession]) -> list[Nomination]:
    async with session_factory() as session:
        return list((await session.scalars(select(Nomination))).all())


async def kontum_draft(
    client: SandboxClient,
    session_factory: async_sessionmaker[AsyncSession],
    telegram_id: int,
    stop_at: str | None = None,
) -> tuple[SimUser, Plan, Run]:
    """A village head of Đăk Ruồng with a Kon Tum draft answered up to ``stop_at`` (default:
    its summary)."""
    user = await proposer(client, session_factory, "village_head", "KT-KR-DRU-T3", telegram_id)
    plan = load_preset("kontum-44-2023")
    run = await complete(user, plan, await user.send("/propose"), stop_at=stop_at)
    assert run.last is not None
    if stop_at is None:
        assert "Tóm tắt" in run.last.text
    return user, plan, run


@pytest.mark.parametrize("plan_id", sorted(PROPOSERS))
async def test_full_proposal_under_each_preset(
    plan_id: str,
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    role, unit = PROPOSERS[plan_id]
    user = await proposer(client, session_factory, role, unit, 7001)
    plan = load_preset(plan_id)
    run = await complete(user, plan, await user.send("/propose"))
    assert "Bước" in run.text and "Đủ điều kiện" in run.text, run.text
    # Issue 28: the counter is fixed once the category is chosen (from the consent step on).
    consent = next(i for i, text in enumerate(run.screens) if "đã đồng ý chưa" in text)
    after_category = [c for c in map(step_counter, run.screens[consent:]) if c is not None]
    seen = [c for c in map(step_counter, run.screens) if c is not None]
    totals = {total for _k, total in after_category}
    assert len(totals) == 1, seen  # never grows, never shrinks
    steps = [k for k, _total in after_category]
    assert steps == sorted(steps), seen  # never goes back on a walk forward
    assert steps[-1] == totals.pop()  # the summary is the last step
    sent = await user.press(text="1. Gửi đề xuất")
    assert "Đã gửi" in sent.text
    # Issue 28: a whole nomination, /propose to "Gửi đề xuất", all criteria met, one photo.
    assert user.actions <= 15, (plan_id, user.actions)
    print(f"\n{plan_id}: {user.actions} actions")

    [nomination] = await submitted_rows(session_factory)
    assert (nomination.plan_id, nomination.state) == (plan_id, "submitted")
    assert nomination.consent_at is not None and nomination.nominee["name"]
    async with session_factory() as session:
        evidence = (await session.scalars(select(Evidence))).all()
        counts: dict[str, int] = {}
        for item in evidence:
            counts[item.criterion_id or ""] = counts.get(item.criterion_id or "", 0) + 1
        assert all(item.sha256 for item in evidence)  # downloaded into the store
        assert len(evidence) <= 1  # one photo proves what the plan lets it prove
    criteria = plan.criteria_for(nomination.category_id or "", nomination.subject_kind or "")
    assert criteria and all(
        f.verdict is Verdict.MET for f in findings(criteria, nomination.answers, counts)
    )
    # every answer was committed as it came: one version step per accepted answer at least
    assert nomination.version >= user.actions - 2  # /propose and the send are not answers


async def test_full_proposal_in_english(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user = await proposer(client, session_factory, "village_head", "KT-KR-DRU-T3", 7002, "en")
    plan = load_preset("kontum-44-2023")
    run = await complete(user, plan, await user.send("/propose"), lang="en")
    assert "Step" in run.text and "Eligible" in run.text
    assert "Điều 6.1" in run.text  # official wording and citations stay Vietnamese
    sent = await user.press(text="1. Send the proposal")
    assert "Sent." in sent.text


async def test_unmet_criterion_cites_its_article_and_blocks_submission(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user = await proposer(client, session_factory, "village_head", "KT-KR-DRU-T3", 7003)
    plan = load_preset("kontum-44-2023")
    first_attest = next(c for c in plan.criteria if c.kind == "attest" and c.required)
    run = await complete(user, plan, await user.send("/propose"), stop_at=first_attest.text)
    # On its group's screen: its number typed says it is not met.
    [number] = [n for n, c in statements(plan, run.text).items() if c.id == first_attest.id]
    unmet = await user.send(str(number))
    assert "Chưa đạt tiêu chí bắt buộc" in unmet.text
    assert f"({first_attest.cite}, 44/2023/QĐ-UBND)" in unmet.text
    assert unmet.buttons[:3] == [
        "1. Sửa câu trả lời",
        "2. Đổi lĩnh vực",
        "3. Tiếp tục các câu hỏi khác",
    ]
    again = await user.press(text="1. Sửa câu trả lời")
    assert f"{number}. ❌ {first_attest.text}" in again.text  # the group, with its answers
    unmet = await user.send(str(number))  # typed again
    go_on = await user.press(text="3. Tiếp tục các câu hỏi khác")
    run = await complete(user, plan, go_on)
    assert "Chưa đủ điều kiện" in run.text and first_attest.cite in run.text
    assert not any("Gửi đề xuất" in b for b in (run.last.buttons if run.last else []))
    [nomination] = await submitted_rows(session_factory)
    assert nomination.state == "draft"
    assert nomination.answers[first_attest.id] == {"value": False}


async def test_back_and_edit_from_summary(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, plan, run = await kontum_draft(client, session_factory, 7004, "Năm sinh?")
    back = await user.press(text="◀ Quay lại")
    assert "Giới tính" in back.text and "Câu trả lời hiện tại: Nữ" not in back.text
    assert "Câu trả lời hiện tại" in back.text
    forward = await user.press(text="2. Nữ")
    assert "Năm sinh" in forward.text
    run = await complete(user, plan, forward)
    summary = run.text
    assert "Họ tên: Y Thị Hoa" in summary and "Giới tính: Nữ" in summary
    menu = await user.press(text="2. Sửa câu trả lời")
    target = next(b for b in menu.buttons if "Năm sinh" in b)
    edit = await user.press(text=target)
    assert "Câu trả lời hiện tại: 1975" in edit.text
    back_to_summary = await user.send("1980")
    assert "Tóm tắt hồ sơ đề xuất" in back_to_summary.text
    assert "Năm sinh: 1980" in back_to_summary.text
    [nomination] = await submitted_rows(session_factory)
    assert nomination.nominee["birth_year"] == 1980 and nomination.nominee["sex"] == "female"


async def test_stale_button_does_nothing_harmful(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, run = await kontum_draft(client, session_factory, 7005, "Giới tính?")
    sex_screen = run.last
    assert sex_screen is not None
    old_message = sex_screen.messages[-1]
    old_male = next(b for row in old_message["buttons"] for b in row if b["text"] == "1. Nam")
    typed = await user.send("2")  # typed: a new message comes, the old one loses its buttons
    assert typed.unbuttoned == [old_message["message_id"]]
    shown = {m["message_id"]: m for m in await user.messages()}
    assert shown[old_message["message_id"]]["buttons"] == []
    assert "Dân tộc?" in typed.text and typed.buttons  # the new screen keeps its own
    async with session_factory() as session:
        person = await session.scalar(select(User).where(User.telegram_id == 7005))
        assert person is not None and person.screen_message_id == typed.messages[-1]["message_id"]
    [before] = await submitted_rows(session_factory)
    # A phone that was offline when the buttons went may still press one.
    stale = await user.press(
        data=old_male["callback_data"], message_id=old_message["message_id"], forge=True
    )
    assert any("đã cũ" in (a.get("text") or "") for a in stale.callback_answers)
    assert "Dân tộc?" in stale.text  # where the draft stands now (the year came with the name)
    assert stale.messages[-1]["message_id"] == old_message["message_id"]  # shown in its place
    assert stale.unbuttoned == [typed.messages[-1]["message_id"]]  # one current screen still
    [after] = await submitted_rows(session_factory)
    assert after.nominee["sex"] == "female" and after.version == before.version


@pytest.mark.parametrize(
    ("prompt", "bad", "expected"),
    [
        ("Năm sinh?", "abc", "4 chữ số"),
        ("Năm sinh?", "1800", "4 chữ số"),
        ("Năm sinh?", "2030", "4 chữ số"),
        ("Họ và tên người được đề xuất", "x" * 101, "tối đa 100 ký tự"),
        ("Họ và tên người được đề xuất", "A", "quá ngắn"),
        ("Họ và tên người được đề xuất", "🙂🙂🙂", "Xin viết bằng chữ"),
        ("Họ và tên người được đề xuất", "?!...", "Xin viết bằng chữ"),
        ("Số điện thoại", "12345", "số điện thoại Việt Nam"),
        ("Giới tính?", "có lẽ", "bấm một nút"),
    ],
)
async def test_bad_input_gets_a_reprompt_and_loses_nothing(
    prompt: str,
    bad: str,
    expected: str,
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, _run = await kontum_draft(client, session_factory, 7006, prompt)
    [before] = await submitted_rows(session_factory)
    reply = await user.send(bad)
    assert expected in reply.text and prompt in reply.text
    [after] = await submitted_rows(session_factory)
    assert (after.step, after.nominee, after.version) == (
        before.step,
        before.nominee,
        before.version,
    )


async def test_a_whole_birth_date_is_taken_as_the_birth_year(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, _run = await kontum_draft(client, session_factory, 7007, "Năm sinh?")
    reply = await user.send("12/05/1972")
    assert "Năm sinh?" not in reply.text and "⚠️" not in reply.text, reply.text
    [after] = await submitted_rows(session_factory)
    assert after.nominee["birth_year"] == 1972


async def test_done_before_the_files_a_step_asks_for_is_refused_in_its_words(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, _run = await kontum_draft(client, session_factory, 7008, "bấm «Đúng cả»")
    # "All met" with no file yet: the proof is asked on a step of its own, which says why.
    proof = await user.press(text="Đúng cả")
    assert "ít nhất 1" in proof.text and "làm minh chứng" in proof.text
    assert "hỏi thêm vì câu trả lời là «Có»" in proof.text
    [before] = await submitted_rows(session_factory)
    refused = await user.press(text="Xong")
    assert "cần ít nhất 1 tệp, anh/chị mới gửi 0" in refused.text
    assert "làm minh chứng" in refused.text  # still the same step
    [after] = await submitted_rows(session_factory)
    assert after.step == before.step
    await user.photo(caption="Giấy khen")
    moved = await user.press(text="Xong")
    assert "cần ít nhất" not in moved.text
    [later] = await submitted_rows(session_factory)
    assert later.step != before.step  # with its file, Done moves on


async def test_a_number_typed_on_the_change_an_answer_list_opens_that_answer(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, plan, run = await kontum_draft(client, session_factory, 7009)
    menu = await user.press(text=next(b for b in run.last.buttons if "Sửa câu trả lời" in b))
    second = menu.buttons[1]
    assert second.startswith("2. ")
    # Criteria are labelled by their words as well as their article; a proof step counts its
    # files (the driver sent one photo for each) instead of saying only that it was done.
    first_attest = next(c for c in plan.all_criteria() if c.kind == "attest")
    assert any(first_attest.text[:12] in b for b in menu.buttons), menu.buttons
    proofs = [b for b in menu.buttons if b.split(". ", 1)[-1].startswith("Minh chứng")]
    assert proofs and all(b.endswith(": 1 tệp") for b in proofs), proofs
    opened = await user.send("2")
    assert "Bước 2/" in opened.text, opened.text
    [after] = await submitted_rows(session_factory)
    assert after.step not in ("summary", "summary:edit")
    back = await user.send("/drafts")  # a draft left on the list still resumes
    assert "bước 2/" in back.text


async def test_the_summary_adds_evidence_to_a_criterion_in_two_taps(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, run = await kontum_draft(client, session_factory, 7010)
    adding = await user.press(text=next(b for b in run.last.buttons if "Thêm minh chứng" in b))
    assert "Thêm minh chứng cho tiêu chí nào?" in adding.text
    proofs = [b for b in adding.buttons if b[:1].isdigit()]
    assert proofs and all("Minh chứng cho" in b for b in proofs)
    opened = await user.send("1")  # typed works on this list too
    assert "làm minh chứng" in opened.text
    await user.photo(caption="Giấy khen thêm")
    back = await user.press(text="Xong")
    assert "Tóm tắt" in back.text  # straight back to the summary
    async with session_factory() as session:
        files = (await session.scalars(select(Evidence))).all()
    assert len(files) == len(proofs) + 1


async def test_a_title_held_over_several_years_is_one_question(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    role, unit = PROPOSERS["konray-2023-2025"]
    user = await proposer(client, session_factory, role, unit, 7011)
    plan = load_preset("konray-2023-2025")
    run = await complete(user, plan, await user.send("/propose"), stop_at="Có đạt danh hiệu")
    asked = run.last
    assert asked is not None
    this = today().year
    years = [str(this - 1), str(this - 2), str(this - 3)]
    assert asked.buttons[:5] == [
        "1. Cả 3 năm",
        *(f"{n}. {y}" for n, y in enumerate(years, 2)),
        "5. Không năm nào",
    ]
    [draft] = await submitted_rows(session_factory)
    criterion = next(c for c in plan.all_criteria() if c.kind == "years" and c.id in draft.step)
    await user.send(f"{years[0]}, {years[1]}")  # typed: two of the three years
    [after] = await submitted_rows(session_factory)
    assert after.answers[criterion.id]["years"] == {years[0]: True, years[1]: True, years[2]: False}


async def test_unexpected_sticker_photo_and_command_mid_wizard(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, plan, _run = await kontum_draft(client, session_factory, 7007, "Năm sinh?")
    sticker = await user.sticker()
    assert "Năm sinh?" in sticker.text
    photo = await user.photo()
    assert "chưa cần gửi tệp" in photo.text and "Năm sinh?" in photo.text
    helped = await user.send("/help")
    assert "Bản nháp của Y Thị Hoa đã được lưu" in helped.text and "/propose" in helped.text
    typed = await user.send("1975")  # no draft is active any more: not taken as an answer
    assert "chưa hiểu" in typed.text
    drafts = await user.send("/drafts")
    assert "Y Thị Hoa" in drafts.text and "bước" in drafts.text
    resumed = await user.press(text="1. Tiếp tục 1")
    assert "Năm sinh?" in resumed.text
    assert "Tóm tắt" in (await complete(user, plan, await user.send("1975"))).text


async def test_numbers_in_vietnamese_notation(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user = await proposer(client, session_factory, "commune_officer", "KT-DH-DM", 7008)
    plan = load_preset("dakdoa-101-2021")
    number = next(c for c in plan.all_criteria() if c.kind == "number")
    run = await complete(
        user,
        plan,
        await user.send("/propose"),
        category=_category_index(plan, number),
        subject=_subject_index(plan, number),
        stop_at=f"«{number.text}»",
    )
    assert "Yêu cầu" in run.text
    wrong = await user.send("nhiều lắm")
    assert "ví dụ 70 hoặc 70,5" in wrong.text
    await user.send("0%" if number.max == 0 else "70,5%")
    [nomination] = await submitted_rows(session_factory)
    assert nomination.answers[number.id]["value"] in (0.0, 70.5)


def _category_index(plan, criterion) -> int:  # type: ignore[no-untyped-def]
    for category in plan.categories:
        if criterion in category.criteria:
            subject = (criterion.subjects or category.subjects)[0]
            return plan.categories_for(subject).index(category) + 1
    return 1


def _subject_index(plan, criterion) -> int:  # type: ignore[no-untyped-def]
    for category in plan.categories:
        if criterion in category.criteria:
            subject = (criterion.subjects or category.subjects)[0]
            return plan.subject_kinds().index(subject) + 1
    return 1


async def test_drafts_several_and_discard_with_confirmation(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, _run = await kontum_draft(client, session_factory, 7009, "Giới tính?")
    second = await user.send("/propose")
    assert "Bản nháp của Y Thị Hoa đã được lưu" in second.text
    await user.send("2")  # typed choice of the plan starts a second draft
    listing = await user.send("/drafts")
    lines = listing.text.splitlines()
    assert lines[1].startswith("1. (chưa có tên)") and lines[2].startswith("2. Y Thị Hoa")
    ask = await user.press(text="Xóa 2")
    assert "Xóa bản nháp của Y Thị Hoa" in ask.text and "Không thể khôi phục" in ask.text
    kept = await user.press(text="2. Không, giữ lại")
    assert "Không xóa gì" in kept.text
    assert len(await submitted_rows(session_factory)) == 2
    listing = await user.send("/drafts")
    ask = await user.press(text="Xóa 2")
    gone = await user.press(text="1. Có, xóa")
    assert "Đã xóa" in gone.text
    assert len(await submitted_rows(session_factory)) == 1
    async with session_factory() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "nomination.discard")
            )
            == 1
        )


async def test_duplicate_nominee_is_flagged(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    plan = load_preset("kontum-44-2023")
    first = await proposer(client, session_factory, "village_head", "KT-KR-DRU-T3", 7010)
    await first.press(
        text="1. Gửi đề xuất",
        message_id=(await complete(first, plan, await first.send("/propose"))).last.messages[-1][
            "message_id"
        ],
    )  # type: ignore[union-attr]
    other = await proposer(client, session_factory, "commune_officer", "KT-KR-DRU", 7011)
    run = await complete(other, plan, await other.send("/propose"))
    assert "Có thể trùng: Y Thị Hoa (1975)" in run.text


async def test_file_too_large_is_refused_with_reason(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, run = await kontum_draft(client, session_factory, 7012, "làm minh chứng")
    big = await user.document("ban-scan.pdf", size=25 * 1024 * 1024)
    assert "quá lớn (25.0 MB)" in big.text or "quá lớn (25 MB)" in big.text
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Evidence)) == 0
    ok = await user.document("giay-khen.pdf", content=b"%PDF-1.4 giay khen")
    assert "Đã nhận 1 tệp" in ok.text
    async with session_factory() as session:
        [stored] = (await session.scalars(select(Evidence))).all()
        assert stored.file_name == "giay-khen.pdf" and stored.sha256 is not None
        assert (
            bot_app.settings.evidence_dir / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
        ).read_bytes() == b"%PDF-1.4 giay khen"
    assert run.screens


async def test_consent_refused_keeps_nothing_personal(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, run = await kontum_draft(client, session_factory, 7013, "đã đồng ý chưa")
    refused = await user.press(text="2. Chưa")
    assert "hỏi ý kiến họ trước" in refused.text
    [nomination] = await submitted_rows(session_factory)
    assert nomination.consent_at is None and nomination.nominee == {}
    assert run.screens
    async with session_factory() as session:
        user_row = await session.scalar(select(User).where(User.telegram_id == 7013))
        assert user_row is not None and user_row.active_nomination_id == nomination.id


async def test_voice_note_can_stand_for_the_achievements(
    bot_app: App,
    client: SandboxClient,
    seeded: None,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    user, _plan, _run = await kontum_draft(client, session_factory, 7014, "Tóm tắt thành tích")
    reply = await user.voice(duration=12)
    assert "Đã lưu ghi âm" in reply.text
    [nomination] = await submitted_rows(session_factory)
    async with session_factory() as session:
        [voice] = (await session.scalars(select(Evidence))).all()
    assert voice.kind == "voice" and voice.criterion_id is None and voice.sha256
    assert nomination.nominee["voice_note"] == voice.id and not nomination.achievements
