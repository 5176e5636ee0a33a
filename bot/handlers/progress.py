"""/progress on Telegram: routes to bot.dialogs.progress and sends the page's chart with it."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from pathlib import Path

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.dialogs import progress as dialog
from bot.dialogs.review_replies import Reply
from bot.dialogs.screen import LOCAL_FILE
from bot.handlers.filters import Cmd, DataPrefix
from bot.handlers.ui import Ui
from bot.handlers.wizard import today
from bot.reports.achievement import render
from bot.reports.chart import chart_png, save_chart
from bot.reports.registration import save_workbook, workbook
from bot.reports.yearly import yearly_template
from bot.workflow.actor import Actor


async def _with_chart(reply: Reply, chart: dialog.Chart | None, settings: Settings) -> Reply:
    """The chart drawn off the event loop (about a second of CPU), kept by its hash."""
    if chart is None or not reply.screens:
        return reply
    png = await asyncio.to_thread(
        chart_png, chart.rows, chart.title, chart.state_labels, chart.quota_label
    )
    path = await asyncio.to_thread(save_chart, png, settings.evidence_dir.parent / "charts")
    screen = reply.screens[0]
    reply.screens[0] = dataclasses.replace(
        screen, files=(("photo", LOCAL_FILE + str(path)),), captions=(chart.title,)
    )
    return reply


async def progress_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    actor: Actor,
    ui: Ui,
    settings: Settings,
) -> None:
    argument = (command.args or "").strip()
    page = int(argument) - 1 if argument.isdigit() else 0
    reply, chart = await dialog.show_progress(session, actor, today().date(), 0, page)
    ui.deliver(await _with_chart(reply, chart, settings))


async def page_pressed(
    query: CallbackQuery, session: AsyncSession, actor: Actor, ui: Ui, settings: Settings
) -> None:
    parts = (query.data or "").split(":")
    if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
        return
    reply, chart = await dialog.show_progress(
        session, actor, today().date(), int(parts[1]), int(parts[2])
    )
    ui.deliver(await _with_chart(reply, chart, settings))


async def list_pressed(query: CallbackQuery, session: AsyncSession, actor: Actor, ui: Ui) -> None:
    parts = (query.data or "").split(":")
    if len(parts) != 4 or not (parts[1].isdigit() and parts[3].isdigit()):
        return
    ui.deliver(
        await dialog.show_list(
            session, actor, today().date(), int(parts[1]), parts[2], int(parts[3])
        )
    )


async def export_pressed(
    query: CallbackQuery, session: AsyncSession, actor: Actor, ui: Ui, settings: Settings
) -> None:
    index = (query.data or "").removeprefix("px:")
    if not index.isdigit():
        return
    reply, export = await dialog.export_list(session, actor, today().date(), int(index))
    if export is not None and reply.screens:
        data = await asyncio.to_thread(
            workbook, export.plan, export.root, export.year, export.entries
        )
        exports = settings.evidence_dir.parent / "exports"
        path = await asyncio.to_thread(
            save_workbook, data, exports, export.root, export.plan, export.year
        )
        reply.screens[0] = dataclasses.replace(
            reply.screens[0], files=(("document", LOCAL_FILE + str(path)),)
        )
    ui.deliver(reply)


async def yearly_pressed(
    query: CallbackQuery, session: AsyncSession, actor: Actor, ui: Ui, settings: Settings
) -> None:
    index = (query.data or "").removeprefix("py:")
    if not index.isdigit():
        return
    reply, context = await dialog.yearly_report(session, actor, today().date(), int(index))
    if context is not None and reply.screens:
        template = yearly_template(settings.report_templates_dir)
        data = await asyncio.to_thread(render, template, context)
        name = f"bao-cao-nam-{context['year']}-{hashlib.sha256(data).hexdigest()[:8]}.docx"
        path = settings.evidence_dir.parent / "exports" / name
        await asyncio.to_thread(_write, path, data)
        reply.screens[0] = dataclasses.replace(
            reply.screens[0], files=(("document", LOCAL_FILE + str(path)),)
        )
    ui.deliver(reply)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def router() -> Router:
    r = Router(name="progress")
    r.message.register(progress_command, Cmd("progress"))
    r.callback_query.register(page_pressed, DataPrefix("pg:"))
    r.callback_query.register(list_pressed, DataPrefix("pl:"))
    r.callback_query.register(export_pressed, DataPrefix("px:"))
    r.callback_query.register(yearly_pressed, DataPrefix("py:"))
    return r
