"""LMDB storage of a node: one environment, named databases, durable commits."""

from node.storage.env import DATABASES, LedgerEnv, StorageError

__all__ = ["DATABASES", "LedgerEnv", "StorageError"]
