"""The strict Slack emulator: one core (`SlackEmulator`), an in-process face and an HTTP face."""
