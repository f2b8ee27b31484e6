"""The pure domain of the cutover bot: plan model, event-sourced state, rules. No Slack, no SQL, no clock."""
