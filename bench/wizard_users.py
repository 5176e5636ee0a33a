"""The simulated village heads of the wizard benchmark: who they propose, how each walks the
wizard and times its steps. Split from :mod:`bench.wizard`."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

from bot.plans.schema import Plan
from sandbox.client import Reply, SandboxClient
from tests.e2e.wizard_driver import complete

SUBMIT_BUTTON = "1. Gửi đề xuất"
SUBMITTED_TEXT = "Đã gửi"
#: What the bot says when a step went wrong on its side, or a button was stale.
ERROR_MARKERS = (
    "Xin lỗi, hệ thống vừa gặp sự cố",
    "Sorry, something went wrong",
    "không còn dùng được",
    "không còn mở",
)
#: The nominee names tests/e2e/wizard_driver.py types; each simulated user proposes someone else,
#: so that the duplicate check finds what it would find in real use (nobody, mostly).
DRIVER_NAMES = frozenset({"Y Thị Hoa", "A Blin", "Phạm Văn Hùng", "Tổ hợp tác trồng sâm Ngọc Linh"})
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Y", "A", "Đinh", "Hồ", "Rơ Châm", "Ksor")
MIDDLES = ("Văn", "Thị", "Hữu", "Minh", "Đức")
GIVEN = ("Hoa", "Lan", "Blin", "Thút", "Hùng", "Mai", "Nam", "Hương", "Sơn", "Tâm",
         "Bình", "Khánh", "Linh", "Phúc", "Quang", "Thảo", "Trang", "Vinh", "Yến", "Dũng")


def nominee_name(index: int) -> str:
    a, rest = index % len(SURNAMES), index // len(SURNAMES)
    b, c = rest % len(MIDDLES), (rest // len(MIDDLES)) % len(GIVEN)
    return f"{SURNAMES[a]} {MIDDLES[b]} {GIVEN[c]}"


# --- options and results -------------------------------------------------------------------


@dataclass
class Step:
    kind: str  # text | press | photo
    latency: float  # update created -> the bot's screen (message or edit) arrived, seconds
    first: float  # update created -> the bot's first event in the chat (a callback answer, say)
    client: float  # the driver call was sent -> the load generator saw the screen
    position: int = 0  # 1 for /propose, then the walk's steps in order


@dataclass
class UserOutcome:
    telegram_id: int
    steps: list[Step] = field(default_factory=list)
    error_steps: int = 0
    failure: str | None = None
    submitted: bool = False
    late_events: int = 0  # bot events that came after the step they belonged to had ended


class StepFailed(Exception):
    pass


def _is_bot_screen(event: dict[str, Any]) -> bool:
    """A bot message or edit that shows something: not the buttons of an older screen taken
    away (a markup-only edit, which may reach the sandbox before the new screen does)."""
    return (
        event["type"] in ("message", "edit")
        and event["message"]["from"] == "bot"
        and not event.get("markup_only")
    )


class BenchUser:
    """What tests/e2e/wizard_driver.py needs of a user (send, press, photo), timed.

    An action is posted without waiting for "handled" (with concurrent handling the bot confirms
    an update before it has answered it); the reply is the bot's first new message or edit in
    this chat after the action. Every step of the wizard answers with exactly one (checked at the
    end of the run: any bot event that arrives after its step ended is counted as late).
    """

    def __init__(self, client: SandboxClient, queue: asyncio.Queue[tuple[float, dict[str, Any]]],
                 outcome: UserOutcome, *, nominee: str, think: float, rng: random.Random,
                 step_timeout: float, measured: bool = True) -> None:
        self.client = client
        self.queue = queue
        self.outcome = outcome
        self.id = outcome.telegram_id
        self.nominee = nominee
        self.think = think
        self.rng = rng
        self.step_timeout = step_timeout
        self.measured = measured

    async def send(self, text: str, **_: Any) -> Reply:
        if text in DRIVER_NAMES:
            text = self.nominee
        return await self._act("text", "text", {"text": text})

    async def press(self, text: str | None = None, data: str | None = None,
                    message_id: int | None = None, **_: Any) -> Reply:
        body = {"text": text, "callback_data": data, "message_id": message_id}
        return await self._act("press", "press", {k: v for k, v in body.items() if v is not None})

    async def photo(self, caption: str | None = None, **_: Any) -> Reply:
        return await self._act("photo", "photo", {"caption": caption, "width": 1280,
                                                  "height": 960})

    async def _act(self, kind: str, path: str, body: dict[str, Any]) -> Reply:
        if self.think > 0:  # reading the screen and typing; capped so runs stay bounded
            await asyncio.sleep(min(self.rng.expovariate(1 / self.think), 5 * self.think))
        sent_at = time.perf_counter()
        _, data = await self.client._call("POST", f"/driver/users/{self.id}/{path}", json=body)
        seq = data["seq"]
        reply = Reply(data.get("update_id"), seq, data.get("message_id"),
                      data.get("callback_query_id"))
        created_at = first_at = screen_at = None
        # A press is answered twice: the callback answer and the screen, in either order (the
        # bot sends them side by side). The step ends when both are in; it is timed at the screen.
        awaiting_answer = kind == "press"
        events: list[dict[str, Any]] = []
        deadline = sent_at + self.step_timeout
        while True:
            remaining = deadline - time.perf_counter()
            try:
                async with asyncio.timeout(max(remaining, 0)):
                    stamp, event = await self.queue.get()
            except TimeoutError:
                self.outcome.error_steps += 1
                raise StepFailed(f"no reply to a {kind} within {self.step_timeout:g} s") from None
            if event["seq"] < seq:
                # An older screen's buttons taken away after its answer arrived is expected
                # (issue 28), not a late answer.
                if not event.get("markup_only"):
                    self.outcome.late_events += 1
                continue
            if event["seq"] == seq:
                created_at = stamp
                continue
            if event["type"] == "callback_query" or (
                    event["type"] == "message" and event["message"]["from"] == "user"):
                continue
            events.append(event)
            first_at = first_at or stamp
            if event["type"] == "callback_answer":
                awaiting_answer = False
            elif screen_at is None and _is_bot_screen(event):
                screen_at = stamp
            if screen_at is not None and not awaiting_answer:
                break
        seen_at = time.perf_counter()
        reply.handled = True
        reply.absorb(events)
        if any(marker in reply.text for marker in ERROR_MARKERS):
            self.outcome.error_steps += 1
            raise StepFailed("error reply: " + reply.text[:160].replace("\n", " "))
        if self.measured:
            created = created_at if created_at is not None else sent_at
            self.outcome.steps.append(Step(kind, screen_at - created,
                                           (first_at or screen_at) - created, seen_at - sent_at,
                                           len(self.outcome.steps) + 1))
        return reply


async def walk(user: BenchUser, plan: Plan) -> None:
    """One full proposal: /propose, every screen, then send it up the review chain."""
    outcome = user.outcome
    try:
        run = await complete(user, plan, await user.send("/propose"))  # type: ignore[arg-type]
        if "Gửi đề xuất" not in " ".join(run.last.buttons if run.last else []):
            outcome.error_steps += 1
            raise StepFailed("the summary offers no 'send': " + run.text[-200:])
        sent = await user.press(text=SUBMIT_BUTTON)
        if SUBMITTED_TEXT not in sent.text:
            outcome.error_steps += 1
            raise StepFailed("not submitted: " + sent.text[:160])
        outcome.submitted = True
    except StepFailed as exc:
        outcome.failure = str(exc)
    except AssertionError as exc:  # the driver met a screen it does not know
        outcome.error_steps += 1
        outcome.failure = "unexpected screen: " + str(exc).replace("\n", " ")[:200]
    except Exception as exc:  # a refused driver call, a dropped connection: report, go on
        outcome.error_steps += 1
        outcome.failure = f"{type(exc).__name__}: {exc}"[:200]


# --- the database --------------------------------------------------------------------------


