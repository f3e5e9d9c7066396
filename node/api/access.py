"""The one place that decides who may read what (docs/api.md, Access).

Three levels: **anonymous** callers get the public view only (``GET /v1/verify``, health,
metrics, submitting signed transactions); **members** get shared data and what their
organization is a party to, per the tables of ``node.api.access_rules``; **regulators**
(any key with the REGULATOR role) get everything, including raw blocks and the audit
export. Routes call this module before answering and never decide themselves.

Decisions use this node's applied state (stale reads of the records a rule anchors on), so
right after a custody change a node that is behind may still decide on the previous owner.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from chaincode.api import Value
from node.api.access_rules import (
    EVENT_RULES,
    EVERYONE,
    OPEN_QUERY_CONTRACTS,
    PUBLIC_PRODUCT_FIELDS,
    PUBLIC_VERIFY_FIELDS,
    QUERY_RULES,
    REGULATORS,
    SHARED,
    STATE_RULES,
    Parties,
    Rule,
)
from node.api.errors import AccessDenied, AuthError
from node.api.viewer import Viewer
from node.service import BlockView, Consistency, LedgerEvent, LedgerService, Receipt, StateEntry
from sdk.errors import SdkError
from sdk.tx import SignedTransaction

SIGNER_CACHE_BLOCKS = 64
"""Blocks whose signer orgs are remembered (event streams read them block after block)."""


class StateReads:
    """Anchor reads for one decision (or one request), each record read once."""

    def __init__(self, service: LedgerService) -> None:
        self._service = service
        self._seen: dict[tuple[str, str], Value] = {}

    async def __call__(self, contract: str, key: str) -> Value:
        if (contract, key) not in self._seen:
            entry = await self._service.get_state(contract, key, consistency=Consistency.STALE)
            self._seen[(contract, key)] = None if entry is None else entry.value
        return self._seen[(contract, key)]


def state_rule(contract: str, key: str) -> tuple[Rule, str]:
    """The rule of a key and the key's rest after the rule's prefix (regulators if none)."""
    for prefix, rule in STATE_RULES.get(contract, ()):
        if key.startswith(prefix):
            return rule, key[len(prefix) :]
    return REGULATORS, key


def query_rule(contract: str, function: str) -> Rule:
    if contract in OPEN_QUERY_CONTRACTS:
        return SHARED
    return QUERY_RULES.get(contract, {}).get(function, REGULATORS)


def event_rule(event: LedgerEvent) -> Rule | None:
    rules = EVENT_RULES.get(event.contract, {})
    return rules.get(event.type) or rules.get("")


def public_verify(answer: Value) -> dict[str, Any]:
    """The public part of a ``trace.verify`` answer (an allow-list of fields)."""
    if not isinstance(answer, dict):
        raise TypeError("trace.verify answered something other than a map")
    public = {name: answer[name] for name in PUBLIC_VERIFY_FIELDS if name in answer}
    product = public.get("product")
    if isinstance(product, dict):
        public["product"] = {name: product.get(name) for name in PUBLIC_PRODUCT_FIELDS}
    return public


class Access:
    def __init__(self, service: LedgerService) -> None:
        self._service = service
        self._signers: OrderedDict[int, list[str | None]] = OrderedDict()

    # -- levels ------------------------------------------------------------------------------

    @staticmethod
    def require_member(viewer: Viewer, what: str) -> str:
        """The viewer's org, or 401 ``auth.required`` for an anonymous caller."""
        if viewer.org_id is None:
            raise AuthError(
                f"{what} is for consortium members: sign the request (X-Rxl-* headers) or "
                "present a client certificate; anonymous callers may use GET /v1/verify",
                code="auth.required",
            )
        return viewer.org_id

    def require_regulator(self, viewer: Viewer, what: str) -> None:
        self.require_member(viewer, what)
        if not viewer.is_regulator:
            raise AccessDenied(f"{what} is for regulators; {viewer.describe()} is not one")

    # -- state -------------------------------------------------------------------------------

    async def check_state(
        self, viewer: Viewer, contract: str, key: str, value: Value, reads: StateReads
    ) -> None:
        """May the viewer see ``key``'s current ``value`` (None: absent)? Members who are
        not a party get 403 whether or not the key exists, so nothing leaks by 404."""
        org = self.require_member(viewer, "contract state")
        if viewer.is_regulator:
            return
        rule, rest = state_rule(contract, key)
        if not _admits(await rule.parties(rest, value, reads), org):
            raise AccessDenied(
                f"{contract}/{key} belongs to other organizations; {viewer.describe()} is "
                "not a party to it"
            )

    async def visible_entries(
        self, viewer: Viewer, contract: str, entries: list[StateEntry], reads: StateReads
    ) -> list[StateEntry]:
        """The entries (current values, or versions of one key) the viewer may see; for a
        rule on the value itself each version decides for itself."""
        org = self.require_member(viewer, "contract state")
        if viewer.is_regulator:
            return entries
        visible = []
        for entry in entries:
            rule, rest = state_rule(contract, entry.key)
            if _admits(await rule.parties(rest, entry.value, reads), org):
                visible.append(entry)
        return visible

    # -- queries -------------------------------------------------------------------------------

    async def check_query(
        self, viewer: Viewer, contract: str, function: str, args: Mapping[str, Any]
    ) -> None:
        org = self.require_member(viewer, f"query {contract}.{function}")
        if viewer.is_regulator:
            return
        parties = await query_rule(contract, function).parties(
            "", dict(args), StateReads(self._service)
        )
        if not _admits(parties, org):
            raise AccessDenied(
                f"{contract}.{function} with these arguments is for the organizations the "
                f"record belongs to and regulators; {viewer.describe()} is neither"
            )

    @staticmethod
    def shape_query(viewer: Viewer, contract: str, function: str, result: Value) -> Value:
        """Trim a query answer to what the viewer may see: the custody part of
        ``trace.verify`` (owner, destination) only for those two orgs and regulators."""
        if viewer.is_regulator or (contract, function) != ("trace", "verify"):
            return result
        custody = result.get("custody") if isinstance(result, dict) else None
        if not isinstance(result, dict) or not isinstance(custody, dict):
            return result
        if viewer.org_id in (custody.get("owner"), custody.get("destination")):
            return result
        return {name: value for name, value in result.items() if name != "custody"}

    # -- transactions, blocks, events ------------------------------------------------------

    async def check_receipt(self, viewer: Viewer, receipt: Receipt) -> None:
        """A committed receipt (with its result) is for the signer's org and regulators."""
        org = self.require_member(viewer, "a transaction receipt")
        if viewer.is_regulator or receipt.height is None or receipt.index is None:
            return
        if self.signer_org(receipt.height, receipt.index) != org:
            raise AccessDenied(
                f"transaction {receipt.tx_id[:16]}… was signed by another organization"
            )

    def visible_bodies(self, viewer: Viewer, block: BlockView) -> list[bool]:
        """Which transaction bodies of a block the viewer may see: all for regulators,
        those its own org signed for a member."""
        org = self.require_member(viewer, "blocks")
        if viewer.is_regulator:
            return [True] * len(block.transactions)
        return [signer == org for signer in self._block_signers(block)]

    async def event_visible(self, viewer: Viewer, event: LedgerEvent) -> bool:
        """Regulators see every event; a member those its org signed, and those whose
        rule (``EVENT_RULES``) names its org."""
        org = viewer.org_id
        if org is None:
            return False
        if viewer.is_regulator or self.signer_org(event.height, event.tx_index) == org:
            return True
        rule = event_rule(event)
        if rule is None:
            return False
        return _admits(await rule.parties("", event.payload, StateReads(self._service)), org)

    def signer_org(self, height: int, index: int) -> str | None:
        """The org of the key that signed transaction ``index`` of block ``height``."""
        signers = self._signers.get(height)
        if signers is None:
            block = self._service.block_by_height(height)
            signers = [] if block is None else self._block_signers(block)
        return signers[index] if 0 <= index < len(signers) else None

    def _block_signers(self, block: BlockView) -> list[str | None]:
        cached = self._signers.get(block.height)
        if cached is not None:
            self._signers.move_to_end(block.height)
            return cached
        orgs: dict[str, str | None] = {}
        signers: list[str | None] = []
        for wire in block.transactions:
            key_id = _signer_key_id(wire)
            if key_id is not None and key_id not in orgs:
                identity = self._service.identity(key_id)
                orgs[key_id] = None if identity is None else identity.org_id
            signers.append(None if key_id is None else orgs[key_id])
        self._signers[block.height] = signers
        if len(self._signers) > SIGNER_CACHE_BLOCKS:
            self._signers.popitem(last=False)
        return signers


def _admits(parties: Parties, org: str) -> bool:
    return parties is EVERYONE or (isinstance(parties, frozenset) and org in parties)


def _signer_key_id(wire: bytes) -> str | None:
    """The signer named in a transaction's wire bytes (None when they do not decode)."""
    try:
        return SignedTransaction.from_wire(wire).tx.signer.hex()
    except SdkError:
        return None
