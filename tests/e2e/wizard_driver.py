"""Answers the nomination wizard the way a careful village head would, reading each screen.

It knows the plan (to find which criterion a screen asks about, by the quoted text and its
citation) and answers every criterion so that it is met, unless told otherwise. It types where
typing is natural and presses buttons elsewhere, so both paths are exercised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.plans.schema import Criterion, Plan
from sandbox.client import Reply, SimUser

WORDS = {
    "vi": {
        "plan": "Đề xuất theo kế hoạch nào",
        "kind": "Đề xuất đối tượng nào",
        "category": "Thuộc lĩnh vực nào",
        "consent": "đã đồng ý chưa",
        "summary": "Tóm tắt hồ sơ đề xuất",
        "evidence": "làm minh chứng",
        "done": "Xong",
        "yes": "Có",
        "skip": "Bỏ qua",
        "all": "Đúng cả",
        "received": "Đã nhận",
    },
    "en": {
        "plan": "Under which plan",
        "kind": "Whom do you propose",
        "category": "In which field",
        "consent": "agreed to be proposed",
        "summary": "Summary of the proposal",
        "evidence": "that prove it",
        "done": "Done",
        "yes": "Yes",
        "skip": "Skip",
        "all": "All met",
        "received": "Files received",
    },
}

FIELD_PROMPTS = {
    # (substring of the question, answer typed, or None to press the first button)
    "vi": [
        ("Họ và tên người đứng đầu tập thể", "Phạm Văn Hùng"),
        ("Họ và tên chủ hộ", "A Blin"),
        ("Họ và tên người được đề xuất", "Y Thị Hoa, 1975"),
        ("Tên tập thể", "Tổ hợp tác trồng sâm Ngọc Linh"),
        ("Giới tính", None),
        ("Năm sinh", "1975"),
        ("Dân tộc?", None),
        ("thuộc dân tộc nào", None),
        ("Chức vụ hoặc công việc", "Già làng"),
        ("sống ở đâu", None),
        ("ở đâu?", None),
        ("Địa chỉ của hộ", "Tổ 3, thôn 10"),
        ("bao nhiêu thành viên", "25"),
        ("Số điện thoại", "0912 345 678"),
        ("Tóm tắt thành tích", "Vận động 30 hộ làm nhà văn hóa, giữ gìn cồng chiêng."),
    ],
    "en": [
        ("Full name of the head of the collective", "Phạm Văn Hùng"),
        ("Full name of the head of the household", "A Blin"),
        ("Full name of the person", "Y Thị Hoa, 1975"),
        ("Name of the collective", "Tổ hợp tác trồng sâm Ngọc Linh"),
        ("Sex?", None),
        ("Year of birth", "1975"),
        ("Ethnic group", None),
        ("Position or role", "Village elder"),
        ("Where does", None),
        ("Where is", None),
        ("Address of the household", "Group 3, village 10"),
        ("How many members", "25"),
        ("Phone number", "0912 345 678"),
        ("Briefly describe their achievements", "Mobilised 30 households to build a hall."),
    ],
}


@dataclass
class Run:
    screens: list[str] = field(default_factory=list)
    last: Reply | None = None

    @property
    def text(self) -> str:
        return self.screens[-1] if self.screens else ""


def criterion_on_screen(plan: Plan, text: str) -> Criterion | None:
    for criterion in plan.all_criteria():
        for body in {criterion.text, criterion.text_en or criterion.text}:
            # "(cite, number)", or "(cite)" where the plan's number is not known
            if f"«{body}» ({criterion.cite}," in text or f"«{body}» ({criterion.cite})" in text:
                return criterion
    return None


def passing_number(criterion: Criterion) -> str:
    if criterion.min is not None:
        value = criterion.min
    else:
        value = criterion.max if criterion.max is not None else 0
    return f"{value:g}".replace(".", ",")


async def answer_criterion(user: SimUser, criterion: Criterion, text: str, lang: str) -> Reply:
    words = WORDS[lang]
    if words["evidence"] in text:  # the files step of an evidence criterion
        await user.photo(caption="Giấy khen")
        return await user.press(text=words["done"])
    if criterion.kind in ("attest", "evidence", "years"):
        return await user.send("1")  # typed: the first numbered choice, "Có" / "Yes"
    if criterion.kind == "number":
        return await user.send(passing_number(criterion))
    if criterion.kind == "choice":
        accepted = (criterion.accept or [])[0]
        index = (criterion.options or []).index(accepted) + 1
        return await user.send(str(index))
    return await user.send("Có nhiều đóng góp cho cộng đồng, được bà con tin tưởng." * 1)


async def complete(
    user: SimUser,
    plan: Plan,
    first: Reply,
    *,
    lang: str = "vi",
    plan_index: int | None = None,
    subject: int = 1,
    category: int = 1,
    stop_at: str | None = None,
    max_screens: int = 400,
    overrides: dict[str, str] | None = None,
    with_birth: bool | None = None,
) -> Run:
    """Answer screen after screen from ``first`` until the summary (or ``stop_at`` appears).

    ``overrides`` types a given answer to a criterion (by id) instead of the passing one; on a
    group screen, an override of one of its statements types the statement's number (not met).
    ``with_birth``: the person's name is typed with the year of birth, as the question invites
    (by default, unless the walk is to stop at the question of the year of birth).
    """
    if with_birth is None:
        with_birth = not (stop_at and ("Năm sinh" in stop_at or "Year of birth" in stop_at))
    overrides = dict(overrides or {})
    run = Run()
    reply = first
    words = WORDS[lang]
    for _ in range(max_screens):
        text = reply.text
        run.screens.append(text)
        run.last = reply
        if stop_at and stop_at in text:
            return run
        if words["summary"] in text:
            return run
        if words["all"] in reply.buttons:
            reply = await answer_group(user, plan, text, words, overrides)
            continue
        if not with_birth and ", 1975" in _typed_for(text, lang):
            reply = await user.send(_typed_for(text, lang).replace(", 1975", ""))
            continue
        criterion = criterion_on_screen(plan, text)
        if criterion is not None and overrides and criterion.id in overrides:
            reply = await user.send(overrides.pop(criterion.id))
            continue
        reply = await _step(user, plan, text, reply, lang, words, plan_index, subject, category)
    raise AssertionError(
        "the wizard did not reach its summary:\n" + "\n---\n".join(run.screens[-3:])
    )


def _typed_for(text: str, lang: str) -> str:
    return next((typed or "" for prompt, typed in FIELD_PROMPTS[lang] if prompt in text), "")


def statements(plan: Plan, text: str) -> dict[int, Criterion]:
    """The numbered statements of a group screen, by number."""
    found: dict[int, Criterion] = {}
    for line in text.splitlines():
        match = re.match(
            r"(\d+)\. (?:[✅❌] )?(?:📎 )?(.+?)(?: \((?:không bắt buộc|optional)\))?$", line
        )
        if match is None:
            continue
        body = match.group(2)
        for criterion in plan.all_criteria():
            if body in (criterion.text, criterion.text_en):
                found[int(match.group(1))] = criterion
    return found


async def answer_group(
    user: SimUser, plan: Plan, text: str, words: dict[str, str], overrides: dict[str, str]
) -> Reply:
    """A group screen: the numbers of overridden statements typed, or one photo and "All met"."""
    listed = statements(plan, text)
    unmet = [n for n, c in sorted(listed.items()) if c.id in overrides]
    for n in unmet:
        overrides.pop(listed[n].id)
    if unmet:
        return await user.send(", ".join(map(str, unmet)))
    if "📎" in text and words["received"] not in text:
        await user.photo(caption="Giấy khen")
    return await user.press(text=words["all"])


async def _step(
    user: SimUser,
    plan: Plan,
    text: str,
    reply: Reply,
    lang: str,
    words: dict[str, str],
    plan_index: int | None,
    subject: int,
    category: int,
) -> Reply:
    if words["plan"] in text:
        if plan_index is None:
            title, mark = plan.title_for(lang), f", {plan.plan.issuer}"
            line = next(line for line in text.splitlines() if title in line and line.endswith(mark))
            plan_index = int(line.split(".", 1)[0])
        return await user.send(str(plan_index))
    if words["kind"] in text:
        return await user.press(text=reply.buttons[subject - 1])
    if words["category"] in text:
        return await user.send(str(category))
    if words["consent"] in text:
        return await user.press(text=next(b for b in reply.buttons if b.startswith("1.")))
    criterion = criterion_on_screen(plan, text)
    if criterion is not None:
        return await answer_criterion(user, criterion, text, lang)
    for prompt, typed in FIELD_PROMPTS[lang]:
        if prompt in text:
            if typed is None:
                return await user.press(text=reply.buttons[0])
            return await user.send(typed)
    raise AssertionError("unknown screen:\n" + text)


def answers_of(row: Any) -> dict[str, Any]:
    return dict(row.answers)
