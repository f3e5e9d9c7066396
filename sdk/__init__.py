"""Wire formats, keys and signing, domain identifiers and the Python client."""

__all__: list[str] = []
