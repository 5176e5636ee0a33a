"""Durable delivery of everything the bot sends on its own: notices, reminders, broadcasts.

``queue`` writes and moves the rows (no Telegram in it); ``sender`` drains them through the
Bot API under Telegram's limits; ``render`` turns a row into what its recipient reads.
"""
