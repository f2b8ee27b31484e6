"""Delivering what the bot says: the outbox, its deliverer and the pacing of Slack calls."""
