"""The `rxl` command line. Nothing imports this package."""

__all__: list[str] = []
