"""Time-based alerts: their state from the events and the periodic evaluator."""
