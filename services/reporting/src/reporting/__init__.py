"""The reporting service: MongoDB projections of every organising event, exactly once."""
