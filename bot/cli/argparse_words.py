"""argparse's own words (a refused command line, the usage line), in the operator's language.

argparse looks its messages up through its module-level ``_`` and ``ngettext`` when it says
them; ``speak_argparse`` points those at the bot's catalogs. The msgids below are argparse's
own (Python 3.11 and later), listed with N_ so that extraction keeps their translations.
"""

from __future__ import annotations

import argparse

from bot.i18n import N_, _, ngettext

WORDS = (
    N_("usage: "),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("show this help message and exit"),
    N_("positional arguments"),
    N_("options"),
    N_("one of the arguments %s is required"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
)


def speak_argparse() -> None:
    """From now on argparse speaks the current locale (set it first)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
