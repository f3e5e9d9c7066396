"""The node process: LMDB storage, block pipeline, peer transport, HTTP API and web UI."""

__all__: list[str] = []
