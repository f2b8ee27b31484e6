"""`cutover-bot serve`: the bot in production, over HTTP or Socket Mode."""
