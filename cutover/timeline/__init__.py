"""Time-driven coordination, pure: cadence, communications, escalations, monitoring."""
