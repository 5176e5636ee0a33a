"""Screens for joining, help, language and invitations: words only, no messenger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.dialogs.screen import Choice, Screen, rows_of
from bot.i18n import N_, SUPPORTED_LOCALES, _, format_datetime, language_name
from bot.workflow.actor import Actor, Role
from bot.workflow.invitations import AcceptOutcome
from bot.workflow.roles import (
    ADMIN,
    COMMUNE_OFFICER,
    CONSULTEE,
    DISTRICT_REVIEWER,
    PROPOSER_ROLES,
    PROVINCE_REVIEWER,
    REVIEWER_ROLES,
    ROLES,
    VILLAGE_HEAD,
)

ROLE_LABELS: dict[str, str] = {
    VILLAGE_HEAD: N_("Village head"),
    COMMUNE_OFFICER: N_("Commune officer"),
    DISTRICT_REVIEWER: N_("District reviewer"),
    PROVINCE_REVIEWER: N_("Province reviewer"),
    CONSULTEE: N_("Consulted body"),
    ADMIN: N_("Administrator"),
}

# Commands each role sees in its menu, in order. Handlers exist for every one listed here.
COMMON_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start, or join with an invitation")),
    ("help", N_("What I can do for you")),
    ("lang", N_("Change language")),
    ("cancel", N_("Stop what you are doing")),
)
_PROPOSE = (
    ("propose", N_("Propose a candidate")),
    ("drafts", N_("My drafts")),
    ("mine", N_("My sent nominations")),
)
_REVIEW = (("review", N_("Nominations waiting for my review")),)
_HISTORY = (("history", N_("History of a nomination")),)
_PROGRESS = (("progress", N_("Where my units stand: quotas, lists, chart")),)
_BROADCAST = (("broadcast", N_("Send a notice to the units below")),)
ROLE_COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    VILLAGE_HEAD: (*_PROPOSE, *_HISTORY),
    COMMUNE_OFFICER: (*_PROPOSE, *_REVIEW, *_PROGRESS, *_HISTORY, *_BROADCAST),
    DISTRICT_REVIEWER: (*_REVIEW, *_PROGRESS, *_HISTORY, *_BROADCAST),
    PROVINCE_REVIEWER: (*_REVIEW, *_PROGRESS, *_HISTORY, *_BROADCAST),
    CONSULTEE: (("opinions", N_("Nominations asking my opinion")),),
    ADMIN: (("invite", N_("Invite a person to a role")), *_PROGRESS, *_BROADCAST),
}


def role_label(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


def commands_for(roles: frozenset[str]) -> list[tuple[str, str]]:
    """The menu commands for someone holding ``roles``, translated into the current locale."""
    seen: dict[str, str] = {}
    for role in ROLES:  # in their order, so a shared command keeps the first role's words
        if role in roles:
            for name, description in ROLE_COMMANDS.get(role, ()):
                seen.setdefault(name, description)
    listed = [*COMMON_COMMANDS[:2], *seen.items(), *COMMON_COMMANDS[2:]]
    return [(name, _(description)) for name, description in listed]


def welcome(name: str, role: str, unit_name: str) -> Screen:
    text = _("Welcome, {name}! You are now registered as {role} of {unit}.").format(
        name=name, role=role_label(role), unit=unit_name
    )
    return phone_offer("\n\n".join([text, _role_intro(role)]))


def phone_offer(lead: str = "") -> Screen:
    """The offer to share a phone number, with its keyboard button in the current language
    (shown again after /lang: a reply keyboard stays in the language it was sent in)."""
    return Screen(
        "\n\n".join(part for part in (lead, _phone_offer()) if part),
        request_contact=True,
        contact_label=_("Share my phone number"),
        edit=False,
    )


def _phone_offer() -> str:
    return _(
        "If you wish, share your phone number with the button below, so that reviewers can "
        'call you about a nomination. You may also skip it: type "skip".'
    )


def _role_intro(role: str) -> str:
    if role in PROPOSER_ROLES:
        return _(
            "You can propose exemplary people, households and collectives of your unit. "
            "Type /help to see how."
        )
    if role in REVIEWER_ROLES:
        return _("You will receive the nominations that reach your level for review.")
    if role == CONSULTEE:
        return _(
            "Reviewers may ask your opinion on some nominations; you will be told here, and "
            "/opinions lists them."
        )
    return _("You can load units and plans and invite people. Type /help to see how.")


def refused(outcome: AcceptOutcome) -> Screen:
    texts = {
        AcceptOutcome.UNKNOWN: _(
            "This invitation code is not valid. Please check the link, or "
            "ask the person who invited you for a new one."
        ),
        AcceptOutcome.USED: _(
            "This invitation has already been used. Each invitation works "
            "once; ask the person who invited you for a new one."
        ),
        AcceptOutcome.EXPIRED: _(
            "This invitation has expired. Ask the person who invited you for a new one."
        ),
    }
    return Screen(texts[outcome], edit=False)


def not_registered() -> Screen:
    return Screen(
        _(
            "Hello! This bot helps villages and communes propose exemplary people, "
            "households and collectives (điển hình tiên tiến) and follow their review.\n\n"
            "To use it you need an invitation from your commune or district: open the "
            "invitation link they send you, or type /start followed by the code."
        ),
        edit=False,
    )


def help_screen(actor: Actor) -> Screen:
    if not actor.roles:
        return not_registered()
    lines = [_("Your roles:")]
    lines += [f"• {role_label(r.role)} — {r.unit_name}" for r in actor.roles]
    lines.append("")
    lines.append(_("Commands:"))
    lines += [f"/{name} — {description}" for name, description in commands_for(actor.role_names)]
    lines.append("")
    lines.append(_("Wherever you see numbered buttons, you may also type the number."))
    return Screen("\n".join(lines), edit=False)


def language_screen(current: str) -> Screen:
    choices = [
        Choice(
            language_name(code) + (" ✓" if code == current else ""),
            f"lang:{code}",
            aliases=(code, language_name(code)),
        )
        for code in SUPPORTED_LOCALES
    ]
    text = _("Choose your language. You can also type /lang vi or /lang en.")
    return Screen(text, rows_of(choices, per_row=2))


def language_set() -> Screen:
    return Screen(_("Done: I will speak English with you."), edit=True)


def cancelled(had_something: bool) -> Screen:
    if had_something:
        return Screen(_("Stopped. Anything you had saved is kept."), edit=False)
    return Screen(_("There is nothing to stop."), edit=False)


def phone_saved() -> Screen:
    return Screen(_("Thank you, your phone number is saved."), edit=False)


def phone_not_own() -> Screen:
    return Screen(
        _("Please share your own number with the button, not someone else's contact."), edit=False
    )


def phone_skipped() -> Screen:
    return Screen(_("All right. You can share it later with /start."), edit=False)


def not_understood() -> Screen:
    return Screen(_("I did not understand that. Type /help to see what you can do."), edit=False)


# --- invitations in chat (administrators) --------------------------------------------------


def invite_roles(roles: Sequence[str]) -> Screen:
    choices = [Choice(role_label(r), f"inv:r:{r}", aliases=(r,)) for r in roles]
    return Screen(_("Invite a person. Which role will they have?"), rows_of(choices))


def invite_units(role: str, units: Sequence[tuple[int, str]], page: int, pages: int) -> Screen:
    choices = [Choice(name, f"inv:u:{role}:{unit_id}") for unit_id, name in units]
    nav: list[Choice] = []
    if page > 0:
        nav.append(Choice(_("◀ Previous"), f"inv:p:{role}:{page - 1}", numbered=False))
    if page + 1 < pages:
        nav.append(Choice(_("Next ▶"), f"inv:p:{role}:{page + 1}", numbered=False))
    text = _("{role}: in which unit? ({page}/{pages})").format(
        role=role_label(role), page=page + 1, pages=max(pages, 1)
    )
    if not units:
        text = _("There is no unit below yours where a {role} can be invited.").format(
            role=role_label(role)
        )
    return Screen(text, (*rows_of(choices), tuple(nav)) if nav else rows_of(choices))


def invite_created(link: str, role: str, unit_name: str, expires_at: datetime) -> Screen:
    return Screen(
        _(
            "Invitation for {role} of {unit}. Send this link to that person; it works once and "
            "expires at {expires}.\n\n{link}"
        ).format(
            role=role_label(role), unit=unit_name, expires=format_datetime(expires_at), link=link
        ),
        edit=True,
    )


INVITE_REFUSALS: dict[str, str] = {
    "unknown_role": N_("There is no such role."),
    "unknown_unit": N_("There is no unit with that code."),
    "role_does_not_fit_unit": N_("That role cannot be held in that unit."),
    "not_allowed": N_("You can only invite people into units below your own."),
}


def invite_refused(reason: str) -> Screen:
    return Screen(_(INVITE_REFUSALS.get(reason, reason)), edit=False)


def invite_usage() -> Screen:
    return Screen(_("Only administrators can create invitations."), edit=False)


def role_of(actor: Actor, role: str) -> Role | None:
    held = actor.holding(role)
    return held[0] if held else None
