"""The node's client HTTP API, driven in memory over ASGI against a small real ledger fake."""
