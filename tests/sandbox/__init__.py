"""Tests of the Telegram Bot API emulator (sandbox/)."""
