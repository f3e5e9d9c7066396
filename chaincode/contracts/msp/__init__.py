"""The msp (membership) contract: organizations, member and node keys, signer resolution.

Built-in class path: ``chaincode.contracts.msp:MspContract``. The node also uses
:func:`genesis_state` (msp state at height 0) and :func:`resolve_signer` (may this key sign at
this block?) directly. Rules and codes: docs/governance.md.
"""

from chaincode.contracts.msp.contract import MspContract
from chaincode.contracts.msp.errors import GenesisError, SignerRejected
from chaincode.contracts.msp.genesis import GenesisLike, genesis_state
from chaincode.contracts.msp.records import NAMESPACE, Reader
from chaincode.contracts.msp.signers import context_reader, resolve_signer, state_reader

__all__ = [
    "NAMESPACE",
    "GenesisError",
    "GenesisLike",
    "MspContract",
    "Reader",
    "SignerRejected",
    "context_reader",
    "genesis_state",
    "resolve_signer",
    "state_reader",
]
