"""Go/no-go and data integrity, pure: the checklist, business windows, data checks, drills."""
