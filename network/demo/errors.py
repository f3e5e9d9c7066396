"""Errors of the demo seeding; each message says what to do next.

DemoError                   base class (a NetworkError)
├── DemoSetupError          the consortium cannot run the demo: orgs or members missing, key
│                           files under a passphrase that was not given
├── DemoRefused             the ledger refused a step (the node at admission, or a contract)
├── DemoPartlySeeded        an earlier seeding stopped midway; wipe the ledgers and seed again
└── DemoNodeError           a node did not answer as docs/api.md says (unreachable, too slow)
"""

from __future__ import annotations

from network.errors import NetworkError


class DemoError(NetworkError):
    """Base class of every error raised by :mod:`network.demo`."""


class DemoSetupError(DemoError):
    pass


class DemoRefused(DemoError):
    """``code`` is the ledger's error or rejection code (``trace.not_owner``, …)."""

    def __init__(self, step: str, code: str, message: str) -> None:
        super().__init__(f"{step}: refused with {code}: {message}")
        self.step = step
        self.code = code


class DemoPartlySeeded(DemoError):
    pass


class DemoNodeError(DemoError):
    pass
