"""`cutover-bot console`: the bot without Slack, typed at or scripted."""
