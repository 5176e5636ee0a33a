"""`python -m bot outbox …`: what the bot still has to send, what failed and why, and a retry."""

from __future__ import annotations

import argparse

from bot.cli.common import cli_session, upgrade
from bot.config import Settings
from bot.i18n import N_, _

STATE_LABELS = {
    "pending": N_("waiting"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "blocked": N_("blocked by the person"),
    "cancelled": N_("cancelled"),
}


def _states(counts: dict[str, int]) -> str:
    return ", ".join(
        f"{_(STATE_LABELS[state])} {counts[state]}" for state in STATE_LABELS if counts.get(state)
    )


async def status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.outbox import queue
    from storage.models import User

    await upgrade(settings)
    async with cli_session(settings) as session:
        counts = await queue.counts(session)
        failed = await queue.failed(session, limit=args.limit)
        people = {row.recipient_id: await session.get(User, row.recipient_id) for row in failed}
    if not counts:
        print(_("The outbox is empty: the bot has sent nothing on its own yet."))
        return 0
    totals: dict[str, int] = {}
    by_cause: dict[str, dict[str, int]] = {}
    for (cause, state), n in counts.items():
        totals[state] = totals.get(state, 0) + n
        by_cause.setdefault(cause, {})[state] = n
    print(_("Outbox: {states}").format(states=_states(totals)))
    for cause in sorted(by_cause):
        print(f"  {cause}: {_states(by_cause[cause])}")
    if failed:
        print(_("Failed, newest first:"))
        for row in failed:
            person = people.get(row.recipient_id)
            who = f"{person.full_name} ({person.telegram_id})" if person else "?"
            print(
                _("  no. {id} to {who}, {cause}, {tries} tries: {error}").format(
                    id=row.id, who=who, cause=row.cause, tries=row.attempts, error=row.last_error
                )
            )
        print(_("Send them again with: python -m bot outbox retry (or --id N for one)"))
    return 0


async def retry(args: argparse.Namespace, settings: Settings) -> int:
    from bot.outbox import queue

    await upgrade(settings)
    async with cli_session(settings) as session:
        count = await queue.retry(session, args.ids or None)
        await session.commit()
    print(
        _("{count} failed messages will be sent again (the running bot picks them up).").format(
            count=count
        )
    )
    return 0
