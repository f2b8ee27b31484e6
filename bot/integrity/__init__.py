"""The integrity work: checklist, baselines, validation and reconciliation jobs."""
