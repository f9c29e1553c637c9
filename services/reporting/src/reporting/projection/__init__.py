"""Writing the read model: the subscriber, each batch applied to a generation, the rebuild, progress events."""
