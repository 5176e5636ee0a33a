"""What a broadcast looks like to its recipients, and its sender's progress message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from babel.dates import format_timedelta
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogs.reminders import propose_action
from bot.dialogs.screen import LOCAL_FILE, Choice, Screen, rows_of
from bot.i18n import _, get_locale, use_locale
from bot.workflow import broadcasts
from bot.workflow.broadcasts import Progress
from bot.workflow.roles import PROPOSER_ROLES
from bot.workflow.users import actor_for
from storage.models import Broadcast, User

#: The outbox kind of a broadcast message (bot.outbox.render draws it).
BROADCAST: Final = "broadcast"


async def render_broadcast(
    session: AsyncSession, payload: dict[str, Any], reader: User, locale: str
) -> Screen | None:
    """The notice, headed with who sent it; None once the broadcast was stopped."""
    broadcast = await session.get(Broadcast, int(payload["broadcast"]))
    if broadcast is None or broadcast.state == broadcasts.STOPPED:
        return None
    sender = await session.get(User, broadcast.sender_id) if broadcast.sender_id else None
    with use_locale(locale):
        if sender is not None:
            head = _("📢 Notice from {name} ({unit}):").format(
                name=sender.full_name,
                unit=(broadcast.sender_unit or broadcast.unit).name,
            )
        else:
            head = _("📢 Notice to {unit}:").format(unit=broadcast.unit.name)
        text = f"{head}\n\n{broadcast.text}"
        rows: tuple[tuple[Choice, ...], ...] = ()
        if broadcast.plan_id and await _proposes(session, reader):
            text += "\n\n" + _("To propose under this plan, press the button or type /propose.")
            rows = rows_of(
                [
                    Choice(
                        _("Propose under this plan"),
                        propose_action(broadcast.plan_id),
                        numbered=False,
                    )
                ]
            )
    files: tuple[tuple[str, str], ...] = ()
    if broadcast.file_kind and broadcast.file_id:
        files = ((broadcast.file_kind, broadcast.file_id),)
    elif broadcast.file_kind and broadcast.file_path:  # from the command line: uploaded once
        files = ((broadcast.file_kind, LOCAL_FILE + broadcast.file_path),)
    return Screen(text, rows, edit=False, files=files)


async def _proposes(session: AsyncSession, reader: User) -> bool:
    actor = await actor_for(session, reader)
    return actor.has(*PROPOSER_ROLES)


def progress_screen(broadcast: Broadcast, found: Progress, rate: float) -> Screen:
    """The sender's progress message, edited in place until it says done."""
    locale = get_locale()
    lines = [
        _("📢 Broadcast no. {id} to {count} people").format(
            id=broadcast.id, count=broadcast.recipients
        ),
        _("Sent {sent} · failed {failed} · blocked {blocked} · left {left}").format(
            sent=found.sent, failed=found.failed, blocked=found.blocked, left=found.left
        ),
    ]
    if broadcast.state == broadcasts.STOPPED:
        lines.append(_("Stopped: {held} were not sent.").format(held=found.cancelled + found.left))
        return Screen("\n".join(lines), edit=False)
    if found.finished:
        lines.append(_("✅ Done."))
        return Screen("\n".join(lines), edit=False)
    eta = format_timedelta(
        timedelta(seconds=max(1, round(found.left / rate))), threshold=1.5, locale=locale
    )
    lines.append(_("About {time} left.").format(time=eta))
    return Screen(
        "\n".join(lines),
        rows_of([Choice(_("Stop"), f"bc:stop:{broadcast.id}", numbered=False)]),
        edit=False,
    )
