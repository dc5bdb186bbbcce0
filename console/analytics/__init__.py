"""Save outcomes: what happened to each cancellation intent, and the figures the charts show."""
