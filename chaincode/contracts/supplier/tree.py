"""Supplier-of-supplier look-through (ICH Q7 §7.1: know the whole chain to the source).

Tier 1 is the supplier asked about; the tree stops at tier 4 and says so when deeper links
exist. Links are refused when they would close a cycle, and the walk keeps a visited set as a
second guard, so a query always ends.
"""

from __future__ import annotations

from typing import Any, cast

from chaincode.api import Context, Value
from chaincode.contracts.supplier import status as st
from chaincode.contracts.supplier.rules import USABLE

MAX_TIERS = 4


def reaches(ctx: Context, start: str, target: str) -> bool:
    """True when ``target`` is ``start`` or among its sub-suppliers at any depth."""
    stack, seen = [start], set()
    while stack:
        current = stack.pop()
        if current == target:
            return True
        if current in seen:
            continue
        seen.add(current)
        record = ctx.get(st.supplier_key(current))
        if isinstance(record, dict):
            stack.extend(cast(list[str], record["subsuppliers"]))
    return False


def build_tree(ctx: Context, root: str) -> Value:
    """``{"tree": node, "flags": [...]}``; a node is its id, name, tier, status, children."""
    flags: list[Value] = []

    def node(supplier: str, tier: int, path: tuple[str, ...]) -> dict[str, Value]:
        record = cast(dict[str, Any], ctx.get(st.supplier_key(supplier)))
        seen = st.effective(ctx, supplier, None, ctx.block_time_ms)
        status = "unknown" if seen is None else seen.status.value
        approved = seen is not None and seen.status in USABLE
        if not approved:
            flags.append({"supplier": supplier, "tier": tier, "status": status})
        links = cast(list[str], record["subsuppliers"])
        children: list[Value] = []
        if tier < MAX_TIERS:
            children = [node(s, tier + 1, (*path, s)) for s in links if s not in path]
        return {
            "supplier": supplier,
            "name": record["name"],
            "org_id": record["org_id"],
            "tier": tier,
            "status": status,
            "approved": approved,
            "children": children,
            "truncated": tier >= MAX_TIERS and bool(links),
        }

    tree = node(root, 1, (root,))
    return {"tree": tree, "flags": flags}
