"""aiogram routers, one per job, joined here in the order they must be tried."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import common, fallback, invite, onboarding, review, wizard


def build_router() -> Router:
    root = Router(name="root")
    # The fallback goes last: it answers whatever the others did not take.
    root.include_routers(
        onboarding.router(),
        common.router(),
        invite.router(),
        review.router(),  # before the wizard: a reason being typed is not a draft answer
        wizard.router(),
        fallback.router(),
    )
    return root
