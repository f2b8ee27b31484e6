"""The runbook: its schema, its sections and the durations people write in it."""
