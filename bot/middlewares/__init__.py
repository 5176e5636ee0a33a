"""aiogram middlewares: one database session per update, and Bot API request policies."""
