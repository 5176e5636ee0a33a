"""Exemplar bot: proposing and reviewing 'điển hình tiên tiến' nominations in chat."""
