"""Reminders of deadlines: planned once in the database, sent through the outbox.

Who is behind and whom to remind is decided in ``bot.workflow.deadlines``; this package plans
those reminders for a day (``rounds``), keeps them out of the night (``quiet``) and runs a pass
every few minutes inside the bot (``runner``).
"""
