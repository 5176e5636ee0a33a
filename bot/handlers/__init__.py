"""aiogram routers, one per job, joined here in the order they must be tried."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    broadcast,
    common,
    fallback,
    invite,
    onboarding,
    progress,
    review,
    wizard,
)


def build_routers() -> list[Router]:
    """The dispatcher includes these directly: each level of routers an update passes costs
    aiogram about 25 µs of CPU, and a root router holding them would be one more for every
    update."""
    # The fallback goes last: it answers whatever the others did not take.
    return [
        onboarding.router(),
        common.router(),
        invite.router(),
        broadcast.router(),  # before review and the wizard: its typed answers and its file
        progress.router(),
        review.router(),  # before the wizard: a reason being typed is not a draft answer
        wizard.router(),
        fallback.router(),
    ]
