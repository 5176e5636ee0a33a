"""`python -m bot broadcast send | list | show`: a notice to a part of the unit tree, from the
command line, with a progress bar while the running bot sends it."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from pathlib import Path

from bot.cli.common import cli_session, upgrade
from bot.cli.failures import Failure
from bot.config import Settings
from bot.i18n import _, format_datetime
from bot.workflow.collation import vi_sorted

#: Seconds without a single message going out before `send` stops watching: the bot is not
#: running, or Telegram is away. The messages stay queued either way.
STALL_SECONDS = 60.0


def _counts(progress: object) -> str:
    return _("Sent {sent} · failed {failed} · blocked {blocked} · left {left}").format(
        sent=progress.sent,  # type: ignore[attr-defined]
        failed=progress.failed,  # type: ignore[attr-defined]
        blocked=progress.blocked,  # type: ignore[attr-defined]
        left=progress.left,  # type: ignore[attr-defined]
    )


async def send(args: argparse.Namespace, settings: Settings) -> int:
    from bot.dialogs.broadcast import REFUSALS, queue
    from bot.workflow import broadcasts
    from bot.workflow.units import unit_by_code

    attachment = _keep_file(args.file, settings) if args.file else None
    await upgrade(settings)
    async with cli_session(settings) as session:
        unit = await unit_by_code(session, args.unit)
        if unit is None:
            raise Failure(_("No unit has the code {code}.").format(code=args.unit))
        try:
            broadcast, people = await broadcasts.create(
                session,
                None,
                unit,
                only_unit=args.only_unit,
                audiences=list(dict.fromkeys(args.roles)),
                text=args.text,
                plan_id=args.plan,
                file=(attachment[0], "") if attachment else None,
                file_path=attachment[1] if attachment else None,
            )
        except broadcasts.BroadcastRefused as refused:
            print(_(REFUSALS[refused.reason]), file=sys.stderr)
            return 1
        await queue(session, broadcast, people)
        await session.commit()
        broadcast_id, total = broadcast.id, len(people)
    print(
        _("Broadcast no. {id}: {count} messages queued; the running bot sends them.").format(
            id=broadcast_id, count=total
        ),
        flush=True,
    )
    if args.no_wait:
        return 0
    return await _watch(settings, broadcast_id, total)


PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
#: Telegram bots may upload photos up to 10 MB and documents up to 50 MB.
UPLOAD_LIMITS = {"photo": 10 * 1024 * 1024, "document": 50 * 1024 * 1024}


def _keep_file(path: Path, settings: Settings) -> tuple[str, str]:
    """Copy the attachment where the bot can read it (by its content, under EVIDENCE_DIR);
    its kind and the copy's path. The bot uploads it once, with the first message."""
    from bot.cli.admin import read_bytes

    data = read_bytes(path)
    kind = "photo" if path.suffix.lower() in PHOTO_SUFFIXES else "document"
    if len(data) > UPLOAD_LIMITS[kind]:
        raise Failure(
            _("{file} is too big to send: at most {mb} MB.").format(
                file=path, mb=UPLOAD_LIMITS[kind] // (1024 * 1024)
            )
        )
    folder = (settings.evidence_dir / "broadcast-files").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / (hashlib.sha256(data).hexdigest() + path.suffix.lower())
    if not kept.exists():
        kept.write_bytes(data)
    return kind, str(kept)


async def _watch(settings: Settings, broadcast_id: int, total: int) -> int:
    from tqdm import tqdm

    from bot.workflow import broadcasts

    loop = asyncio.get_running_loop()
    last_done, last_move = -1, loop.time()
    with tqdm(total=total, unit="msg", file=sys.stderr, dynamic_ncols=True) as bar:
        while True:
            async with cli_session(settings) as session:
                progress = await broadcasts.progress(session, broadcast_id)
            done = total - progress.left
            bar.update(done - bar.n)
            if progress.finished:
                break
            if done != last_done:
                last_done, last_move = done, loop.time()
            elif loop.time() - last_move > STALL_SECONDS:
                bar.close()
                print(_counts(progress))
                print(
                    _(
                        "Nothing went out for {seconds} s: is the bot running (python -m bot "
                        "run)? The messages stay queued and go when it runs."
                    ).format(seconds=int(STALL_SECONDS)),
                    file=sys.stderr,
                )
                return 3
            await asyncio.sleep(1.0)
    print(_counts(progress))
    return 0


async def list_(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from bot.workflow import broadcasts
    from storage.models import Broadcast

    await upgrade(settings)
    async with cli_session(settings) as session:
        rows = (
            await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(args.limit))
        ).all()
        if not rows:
            print(_("No broadcast has been sent yet."))
            return 0
        for row in rows:
            progress = await broadcasts.progress(session, row.id)
            print(
                _("no. {id}  {when}  {unit}  {groups}  {count} people: {counts}").format(
                    id=row.id,
                    when=format_datetime(row.created_at),
                    unit=row.unit.code + (" " + _("(alone)") if row.only_unit else ""),
                    groups=",".join(row.roles),
                    count=row.recipients,
                    counts=_counts(progress),
                )
            )
    return 0


async def show(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from bot.workflow import broadcasts
    from storage.models import Broadcast, OutboxMessage, User

    await upgrade(settings)
    async with cli_session(settings) as session:
        row = await session.get(Broadcast, args.id)
        if row is None:
            raise Failure(_("No broadcast has the number {id}.").format(id=args.id))
        progress = await broadcasts.progress(session, row.id)
        missed = (
            await session.execute(
                select(User, OutboxMessage)
                .join(OutboxMessage, OutboxMessage.recipient_id == User.id)
                .where(
                    OutboxMessage.cause == broadcasts.cause_of(row.id),
                    OutboxMessage.state.in_(("failed", "blocked")),
                )
            )
        ).all()
        missed = vi_sorted(missed, key=lambda row: row[0].full_name or "")
    print(
        _("Broadcast no. {id}, {when}, to {unit}").format(
            id=row.id,
            when=format_datetime(row.created_at),
            unit=f"{row.unit.name} ({row.unit.code})",
        )
    )
    print(row.text)
    print(_counts(progress))
    for user, message in missed:
        print(
            f"  {message.state}: {user.full_name} ({user.telegram_id})"
            + (f": {message.last_error}" if message.last_error else "")
        )
    return 0
