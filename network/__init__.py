"""Local and docker multi-node test networks and their config generation."""

__all__: list[str] = []
