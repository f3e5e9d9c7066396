"""The config (governance) contract: proposals, approvals, policies, network settings.

Built-in class path: ``chaincode.contracts.config:ConfigContract``. The node writes
:func:`config_genesis_state` at height 0 (next to ``chaincode.contracts.msp.genesis_state``)
and acts on ``config.applied`` events. Rules and codes: docs/governance.md.
"""

from chaincode.contracts.config.contract import ConfigContract
from chaincode.contracts.config.genesis import ConfigGenesisLike, config_genesis_state
from chaincode.contracts.config.policy import Policy, parse_policy
from chaincode.contracts.config.state import NAMESPACE

__all__ = [
    "NAMESPACE",
    "ConfigContract",
    "ConfigGenesisLike",
    "Policy",
    "config_genesis_state",
    "parse_policy",
]
