"""/progress on Telegram: routes to bot.dialogs.progress and sends the page's chart with it."""

from __future__ import annotations

from functools import partial

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.dialogs import progress as dialog
from bot.dialogs.review_replies import Reply
from bot.handlers.filters import Cmd, DataPrefix
from bot.handlers.made_files import send_made
from bot.handlers.ui import Ui
from bot.handlers.wizard import today
from bot.reports.achievement import render
from bot.reports.chart import chart_png
from bot.reports.registration import file_stem, workbook
from bot.reports.yearly import yearly_template
from bot.workflow.actor import Actor


async def _with_chart(reply: Reply, chart: dialog.Chart | None, settings: Settings) -> Reply:
    if chart is None:
        return reply
    draw = partial(chart_png, chart.rows, chart.title, chart.state_labels, chart.quota_label)
    return await send_made(
        reply,
        settings,
        draw,
        kind="photo",
        folder="charts",
        stem="progress",
        suffix=".png",
        caption=chart.title,
    )


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
    if export is not None:
        stem = file_stem(export.plan, export.root, export.year)
        make = partial(workbook, export.plan, export.root, export.year, export.entries)
        reply = await send_made(
            reply, settings, make, kind="document", folder="exports", stem=stem, suffix=".xlsx"
        )
    ui.deliver(reply)


async def yearly_pressed(
    query: CallbackQuery, session: AsyncSession, actor: Actor, ui: Ui, settings: Settings
) -> None:
    index = (query.data or "").removeprefix("py:")
    if not index.isdigit():
        return
    reply, context = await dialog.yearly_report(session, actor, today().date(), int(index))
    if context is not None:
        make = partial(render, yearly_template(settings.report_templates_dir), context)
        stem = f"bao-cao-nam-{context['year']}"
        reply = await send_made(
            reply, settings, make, kind="document", folder="exports", stem=stem, suffix=".docx"
        )
    ui.deliver(reply)


def router() -> Router:
    r = Router(name="progress")
    r.message.register(progress_command, Cmd("progress"))
    r.callback_query.register(page_pressed, DataPrefix("pg:"))
    r.callback_query.register(list_pressed, DataPrefix("pl:"))
    r.callback_query.register(export_pressed, DataPrefix("px:"))
    r.callback_query.register(yearly_pressed, DataPrefix("py:"))
    return r
