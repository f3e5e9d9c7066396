"""Contract plug-in API, the deterministic execution context and the built-in contracts."""

__all__: list[str] = []
