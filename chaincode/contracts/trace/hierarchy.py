"""Aggregation: who contains whom, walked by key range (issue 6 item 8).

``child/{parent}|{child}`` entries make the children of a parent one prefix range;
``parent/{child}`` gives the single parent of a child. Walks read the whole hierarchy before
anything is written, so the transaction layer holds no pending keys while ranges run.
"""

from __future__ import annotations

from chaincode.api import Context
from chaincode.contracts.trace import keys

MAX_DEPTH = 16
"""Packaging nests a few levels (item, case, pallet); a deeper chain means corrupt state."""


def children_of(ctx: Context, parent_key: str) -> list[str]:
    prefix = keys.child_prefix(parent_key)
    cut = len(prefix)
    return [key[cut:] for key, _ in ctx.prefix(prefix)]


def parent_of(ctx: Context, child_key: str) -> str | None:
    found = ctx.get(keys.parent(child_key))
    return found if isinstance(found, str) else None


def ancestors(ctx: Context, key: str) -> list[str]:
    """Parents from the nearest up to the top (cycles are refused on aggregate, so it ends)."""
    chain: list[str] = []
    current = parent_of(ctx, key)
    while current is not None:
        if len(chain) >= MAX_DEPTH:
            raise ValueError(f"aggregation of {key} nests deeper than {MAX_DEPTH}")
        chain.append(current)
        current = parent_of(ctx, current)
    return chain


def descendants(ctx: Context, root: str) -> list[str]:
    """``root`` and everything below it, depth first, children in key order."""
    order: list[str] = []
    stack = [root]
    while stack:
        key = stack.pop()
        order.append(key)
        stack.extend(reversed(children_of(ctx, key)))
    return order


def attach(ctx: Context, parent_key: str, child_key: str) -> None:
    ctx.put(keys.child(parent_key, child_key), 1)
    ctx.put(keys.parent(child_key), parent_key)


def detach(ctx: Context, parent_key: str, child_key: str) -> None:
    ctx.delete(keys.child(parent_key, child_key))
    ctx.delete(keys.parent(child_key))
