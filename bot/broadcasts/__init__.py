"""Broadcasts in a running bot: the sender's progress message, edited in place as they go out.

The rules (who may send to whom) are in ``bot.workflow.broadcasts``; the dialog in
``bot.dialogs.broadcast``; the messages themselves go through the outbox.
"""
