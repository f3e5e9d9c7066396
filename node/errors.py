"""Errors of the node process.

NodeError                        base; ``code`` is stable and reused by the HTTP API
├── NoLeader                     no leader known right now (election running): retry
├── Overloaded                   pending queue full or rate limited: back off and retry
├── NotCurrent                   a linearizable read could not be confirmed in time
├── ForkDetected                 a peer's checkpoint disagrees with ours: node halted
├── DuplicateTransaction         this transaction id is already pending or committed
├── AdmissionRejected            a transaction failed a stateless check (carries the
│                                code of the sdk or chaincode error that caused it)
├── GenesisMismatch              the data directory holds a ledger of another genesis
└── WaitTimeout                  the transaction did not commit within the wait timeout;
                                 it may still commit: query its receipt or resubmit it
                                 (same tx id, never executed twice)
"""

from __future__ import annotations


class NodeError(Exception):
    code = "node.error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NoLeader(NodeError):
    code = "node.no_leader"


class Overloaded(NodeError):
    code = "node.overloaded"


class NotCurrent(NodeError):
    code = "node.not_current"


class ForkDetected(NodeError):
    code = "node.fork_detected"


class DuplicateTransaction(NodeError):
    code = "tx.duplicate"


class AdmissionRejected(NodeError):
    code = "tx.rejected"


class WaitTimeout(NodeError):
    code = "tx.wait_timeout"


class GenesisMismatch(NodeError):
    code = "node.genesis_mismatch"
