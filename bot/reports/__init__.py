"""Reports of each level: where its units stand (progress), and its chart. No aiogram here."""
