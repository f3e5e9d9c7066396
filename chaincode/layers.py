"""Copy-on-write state layers: block over committed state, transaction over block, call over tx.

A transaction's writes go to its own layer; if it succeeds the layer folds into the block's,
if it is rejected the layer is dropped. A nested contract call gets a layer of its own on top,
which is what makes ``ctx.call`` all-or-nothing even when the caller catches the rejection.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field

from chaincode.api import StateReader, Value, Version

_DELETED = object()
"""Marks a key deleted in a layer, distinct from any storable value."""


def _key_bytes(key: str) -> bytes:
    return key.encode("utf-8")


@dataclass(slots=True)
class _Namespace:
    entries: dict[str, object] = field(default_factory=dict)
    _ordered: list[bytes] = field(default_factory=list)
    """Every key of ``entries`` as UTF-8 bytes, kept sorted (the order LMDB and the write set
    use), so a range is two binary searches instead of a sort and a scan per call."""

    def set(self, key: str, value: object) -> None:
        if key not in self.entries:
            bisect.insort(self._ordered, _key_bytes(key))
        self.entries[key] = value

    def keys_in(self, start: str, end: str | None) -> list[str]:
        lo = bisect.bisect_left(self._ordered, _key_bytes(start))
        hi = (
            len(self._ordered)
            if end is None
            else bisect.bisect_left(self._ordered, _key_bytes(end))
        )
        return [key.decode("utf-8") for key in self._ordered[lo:hi]]


@dataclass(frozen=True, slots=True)
class Write:
    """One write of a transaction: ``value`` None means the key was deleted."""

    namespace: str
    key: str
    value: Value


class Layer:
    """A set of pending writes over a parent (another layer, or committed state)."""

    def __init__(self, parent: Layer | StateReader) -> None:
        self._parent = parent
        self._spaces: dict[str, _Namespace] = {}
        self.journal: list[Write] = []
        """Writes in the order they happened (the last one per key wins)."""

    def get(self, namespace: str, key: str) -> Value | None:
        space = self._spaces.get(namespace)
        if space is not None and key in space.entries:
            found = space.entries[key]
            return None if found is _DELETED else found  # type: ignore[return-value]
        return self._parent.get(namespace, key)

    def put(self, namespace: str, key: str, value: Value) -> None:
        self._spaces.setdefault(namespace, _Namespace()).set(key, value)
        self.journal.append(Write(namespace, key, value))

    def delete(self, namespace: str, key: str) -> None:
        self._spaces.setdefault(namespace, _Namespace()).set(key, _DELETED)
        self.journal.append(Write(namespace, key, None))

    def range(self, namespace: str, start: str, end: str | None) -> Iterator[tuple[str, Value]]:
        """Merged view of this layer and everything below, ordered by UTF-8 key bytes."""
        below = self._parent.range(namespace, start, end)
        space = self._spaces.get(namespace)
        if space is None:
            yield from below
            return
        mine = [(k, space.entries[k]) for k in space.keys_in(start, end)]
        merged = heapq.merge(
            ((_key_bytes(k), 0, k, v) for k, v in mine),
            ((_key_bytes(k), 1, k, v) for k, v in below),
        )
        last: bytes | None = None
        for kb, _, key, value in merged:
            if kb == last:
                continue  # this layer's entry came first (priority 0) and shadows the parent
            last = kb
            if value is not _DELETED:
                yield key, value  # type: ignore[misc]

    def history(self, namespace: str, key: str) -> Iterator[Version]:
        return self._parent.history(namespace, key)

    def fold_into(self, parent: Layer) -> None:
        """Apply this layer's writes to ``parent`` in order (commit of a nested scope)."""
        for write in self.journal:
            if write.value is None:
                parent.delete(write.namespace, write.key)
            else:
                parent.put(write.namespace, write.key, write.value)


class BlockLayer(Layer):
    """The layer of a whole block: also remembers which transaction wrote what, for history."""

    def __init__(self, committed: StateReader, *, height: int, block_time_ms: int) -> None:
        super().__init__(committed)
        self.height = height
        self.block_time_ms = block_time_ms
        self.versions: dict[tuple[str, str], list[Version]] = {}

    def commit_tx(self, tx_layer: Layer, *, tx_index: int, tx_id: str) -> None:
        for write in tx_layer.journal:
            versions = self.versions.setdefault((write.namespace, write.key), [])
            if versions and versions[-1].tx_index == tx_index:
                versions.pop()  # one version per key per transaction: the last write
            versions.append(Version(self.height, tx_index, tx_id, self.block_time_ms, write.value))
        tx_layer.fold_into(self)

    def history(self, namespace: str, key: str) -> Iterator[Version]:
        yield from self._parent.history(namespace, key)
        yield from self.versions.get((namespace, key), ())

    def write_set(self) -> list[Write]:
        """The block's net writes sorted by (namespace, key) bytes: what the state root hashes."""
        final: dict[tuple[str, str], Value] = {}
        for write in self.journal:
            final[(write.namespace, write.key)] = write.value
        ordered = sorted(final, key=lambda nk: (_key_bytes(nk[0]), _key_bytes(nk[1])))
        return [Write(ns, key, final[(ns, key)]) for ns, key in ordered]
