"""From the service's plain dataclasses to the API's response models.

Bytes inside ledger values become ``{"$bytes": "<base64>"}``: JSON has no bytes, and a bare
base64 string could not be told apart from a string value. Transactions in blocks are always
bytes, so they are plain base64 strings.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from pydantic import JsonValue

from chaincode.api import Value
from node.api.models import (
    BlockModel,
    ErrorBody,
    EventModel,
    HealthModel,
    PeerHealthModel,
    ProofModel,
    ReceiptModel,
    StateEntryModel,
    StatePage,
    SubmitItem,
)
from node.service import (
    BlockView,
    Health,
    InclusionProof,
    LedgerEvent,
    Page,
    Receipt,
    StateEntry,
    SubmitResult,
)

BYTES_TAG = "$bytes"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def json_value(value: Value) -> JsonValue:
    """A ledger value as JSON (bytes tagged, everything else as is)."""
    if isinstance(value, bytes):
        return {BYTES_TAG: b64(value)}
    if isinstance(value, list):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    return value


def json_mapping(mapping: Mapping[str, Value]) -> dict[str, JsonValue]:
    return {key: json_value(value) for key, value in mapping.items()}


def receipt_model(receipt: Receipt) -> ReceiptModel:
    return ReceiptModel(
        tx_id=receipt.tx_id,
        state=receipt.state,
        code=receipt.code,
        message=receipt.message,
        height=receipt.height,
        index=receipt.index,
        block_hash=receipt.block_hash,
        block_time_ms=receipt.block_time_ms,
        result=json_value(receipt.result),
    )


def submit_item(result: SubmitResult) -> SubmitItem:
    if result.accepted:
        receipt = result.receipt
        return SubmitItem(
            tx_id=result.tx_id,
            accepted=True,
            receipt=None if receipt is None else receipt_model(receipt),
            error=None,
        )
    error = ErrorBody(code=result.error_code or "tx.rejected", message=result.error_message)
    return SubmitItem(tx_id=result.tx_id, accepted=False, receipt=None, error=error)


def state_entry(entry: StateEntry) -> StateEntryModel:
    return StateEntryModel(
        key=entry.key, value=json_value(entry.value), height=entry.height, tx_index=entry.tx_index
    )


def state_entries(page: Page) -> list[StateEntry]:
    """The entries of a page; anything else in it is a bug of the service (TypeError)."""
    for item in page.items:
        if not isinstance(item, StateEntry):
            raise TypeError(f"page item is {type(item).__name__}, expected StateEntry")
    return list(page.items)


def state_page(page: Page) -> StatePage:
    """A page of state entries as the API answers it."""
    items = [state_entry(item) for item in state_entries(page)]
    return StatePage(items=items, next_cursor=page.next_cursor)


def block_model(block: BlockView, visible: list[bool]) -> BlockModel:
    """A block; the bodies not ``visible`` to the caller are null (ids and results stay)."""
    return BlockModel(
        height=block.height,
        block_hash=block.block_hash,
        header=json_mapping(block.header),
        tx_ids=list(block.tx_ids),
        results=list(block.results),
        transactions=[
            b64(tx) if shown else None
            for tx, shown in zip(block.transactions, visible, strict=True)
        ],
    )


def proof_model(proof: InclusionProof) -> ProofModel:
    return ProofModel(
        tx_id=proof.tx_id,
        height=proof.height,
        index=proof.index,
        tree_size=proof.tree_size,
        path=list(proof.path),
        tx_root=proof.tx_root,
        block_hash=proof.block_hash,
        header=json_mapping(proof.header),
        checkpoints=[json_mapping(checkpoint) for checkpoint in proof.checkpoints],
    )


def event_model(event: LedgerEvent) -> EventModel:
    return EventModel(
        height=event.height,
        tx_index=event.tx_index,
        event_index=event.event_index,
        tx_id=event.tx_id,
        contract=event.contract,
        type=event.type,
        payload=json_value(event.payload),
    )


def health_model(health: Health, error: ErrorBody | None) -> HealthModel:
    return HealthModel(
        healthy=health.healthy,
        node_id=health.node_id,
        chain_id=health.chain_id,
        role=health.role,
        leader_id=health.leader_id,
        term=health.term,
        height=health.height,
        applied_index=health.applied_index,
        commit_index=health.commit_index,
        fork_alarm=health.fork_alarm,
        peers=[
            PeerHealthModel(
                node_id=peer.node_id,
                connected=peer.connected,
                match_index=peer.match_index,
                last_error=peer.last_error,
            )
            for peer in health.peers
        ],
        certificate_warnings=list(health.certificate_warnings),
        error=error,
    )
