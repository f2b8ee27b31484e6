"""The Slack side: the Bolt app, its listeners, the channel view, App Home, the emulated session."""
