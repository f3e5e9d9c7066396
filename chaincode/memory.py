"""Committed state in memory: the ``StateReader`` tests and the harness use.

It keeps what the LMDB store keeps (current values plus every version of every key) with the
same ordering rule (UTF-8 key bytes), so a contract tested here behaves as on a node.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from chaincode.api import Value, Version
from chaincode.layers import BlockLayer


class MemoryState:
    """Current values and full history per (namespace, key)."""

    def __init__(self) -> None:
        self._values: dict[str, dict[bytes, tuple[str, Value]]] = {}
        self._sorted: dict[str, list[bytes]] = {}
        self._history: dict[tuple[str, str], list[Version]] = {}

    def get(self, namespace: str, key: str) -> Value | None:
        found = self._values.get(namespace, {}).get(key.encode("utf-8"))
        return None if found is None else found[1]

    def range(self, namespace: str, start: str, end: str | None) -> Iterator[tuple[str, Value]]:
        keys = self._sorted.get(namespace, [])
        values = self._values.get(namespace, {})
        lo = bisect.bisect_left(keys, start.encode("utf-8"))
        hi = len(keys) if end is None else bisect.bisect_left(keys, end.encode("utf-8"))
        for raw in keys[lo:hi]:
            yield values[raw]

    def history(self, namespace: str, key: str) -> Iterator[Version]:
        return iter(list(self._history.get((namespace, key), ())))

    def apply(self, block: BlockLayer) -> None:
        """Commit a block layer's writes and versions."""
        for write in block.write_set():
            self._set(write.namespace, write.key, write.value)
        for (namespace, key), versions in block.versions.items():
            self._history.setdefault((namespace, key), []).extend(versions)

    def _set(self, namespace: str, key: str, value: Value) -> None:
        values = self._values.setdefault(namespace, {})
        keys = self._sorted.setdefault(namespace, [])
        raw = key.encode("utf-8")
        if value is None:
            if values.pop(raw, None) is not None:
                del keys[bisect.bisect_left(keys, raw)]
            return
        if raw not in values:
            bisect.insort(keys, raw)
        values[raw] = (key, value)
