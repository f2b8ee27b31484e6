"""Alembic migrations of the bot's schema (run by `cutover-bot db upgrade`; storage/schema.py checks the revision)."""
