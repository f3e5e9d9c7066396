"""Admission: the checks a node runs on a client's transaction before it enters the pool.

Issue 4 item 4 and DESIGN.md, Pipeline: "client API -> stateless checks (size, decode,
signature, known signer, not revoked) -> forward to leader". The checks, cheapest first:

====================  =====================================================================
check                 code when it fails
====================  =====================================================================
size                  ``tx.too_large``
decode and schema     ``encoding.*``, ``tx.malformed``, ``signature.malformed``,
                      ``key.unsupported_algorithm``
chain id              ``tx.wrong_chain``
client time           ``tx.expired`` (older than the window), ``tx.from_future`` (newer)
signer                ``signer.unknown`` / ``revoked`` / ``org_removed`` / ``suspended`` /
                      ``not_yet_valid`` / ``expired`` (msp ``resolve_signer``, committed state)
signature             ``signature.invalid``
call (if a registry)  ``contract.unknown``, ``contract.unknown_function``,
                      ``contract.invalid_arguments``, ``permission.missing_role``
====================  =====================================================================

Every refusal is an :class:`~node.errors.AdmissionRejected` carrying the code of the error
that caused it (``__cause__`` holds that error). None of this is final: state moves between
admission and execution, so :class:`node.chain.Chain` re-runs the same checks against the block
(same helpers, below), and only its verdict goes into the ledger.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from chaincode.api import Signer
from chaincode.context import missing_role
from chaincode.contracts.msp import Reader, resolve_signer, state_reader
from chaincode.contracts.msp.errors import SIGNER_UNKNOWN, SignerRejected
from chaincode.contracts.msp.records import load_member
from chaincode.errors import InvalidArguments, InvalidTransaction
from chaincode.registry import ContractRegistry
from node.errors import AdmissionRejected
from node.storage.ledger import LedgerStore
from sdk.errors import CertificateError, SdkError
from sdk.keys import PublicKey
from sdk.pki import certificate_from_pem
from sdk.tx import SignedTransaction, UnsignedTransaction

TX_WRONG_CHAIN: Final = "tx.wrong_chain"
TX_EXPIRED: Final = "tx.expired"
TX_FROM_FUTURE: Final = "tx.from_future"


class SignerKeys:
    """Public keys of enrolled signers, by key id, read from their msp certificates.

    A key id is the SHA-256 of the public key (docs/formats.md §2), so the key behind an id
    never changes: entries never go stale and the cache only needs a size bound. Whether the
    key may sign *now* is a separate question, answered by ``resolve_signer`` every time.
    Parsing a certificate costs far more than verifying a signature, hence the cache.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        self._keys: OrderedDict[bytes, PublicKey] = OrderedDict()
        self._max = max_entries

    def cached(self, key_id: bytes) -> PublicKey | None:
        return self._keys.get(key_id)

    def get(self, read: Reader, key_id: bytes) -> PublicKey | None:
        """The key enrolled under ``key_id`` in the state ``read`` sees, or None."""
        found = self._keys.get(key_id)
        if found is not None:
            return found
        member = load_member(read, key_id.hex())
        if member is None:
            return None
        key = _public_key_of(member.cert_pem)
        if key is None or key.key_id != key_id:
            return None  # msp verified the certificate at enrolment; defensive only
        self._keys[key_id] = key
        if len(self._keys) > self._max:
            self._keys.popitem(last=False)
        return key


def _public_key_of(cert_pem: str) -> PublicKey | None:
    try:
        key = certificate_from_pem(cert_pem).public_key()
    except CertificateError:
        return None
    if not isinstance(key, Ed25519PublicKey):
        return None
    return PublicKey.ed25519(key.public_bytes_raw())


def time_window_refusal(tx: UnsignedTransaction, reference_ms: int, window_ms: int) -> str | None:
    """The code refusing ``tx``'s client time against ``reference_ms`` ± ``window_ms``, if any.

    DESIGN.md, Transaction: "client time must be within a configured window of block time";
    admission applies it against the node's clock, the chain against the block time.
    """
    if tx.client_time_ms < reference_ms - window_ms:
        return TX_EXPIRED
    if tx.client_time_ms > reference_ms + window_ms:
        return TX_FROM_FUTURE
    return None


def time_window_message(tx: UnsignedTransaction, reference_ms: int, window_ms: int) -> str:
    skew = tx.client_time_ms - reference_ms
    return (
        f"client time {tx.client_time_ms} ms is {abs(skew)} ms "
        f"{'ahead of' if skew > 0 else 'behind'} the reference time {reference_ms} ms; the "
        f"window is ±{window_ms} ms: check the client's clock, then build and sign it again"
    )


def wrong_chain_message(tx: UnsignedTransaction, chain_id: str) -> str:
    return (
        f"transaction is for chain {tx.chain_id!r}, this node serves {chain_id!r}; "
        "build it with this network's chain id"
    )


class Admission:
    """Stateless checks of client transactions against this node's committed state."""

    def __init__(
        self,
        *,
        chain_id: str,
        store: LedgerStore,
        max_tx_bytes: int,
        time_window_ms: int,
        registry: ContractRegistry | None = None,
        keys: SignerKeys | None = None,
    ) -> None:
        """``registry``, when given, also refuses unknown calls, bad arguments and roles."""
        self.chain_id = chain_id
        self.store = store
        self.max_tx_bytes = max_tx_bytes
        self.time_window_ms = time_window_ms
        self.registry = registry
        self.keys = keys or SignerKeys()
        self._read = state_reader(store)
        self._verdicts: dict[bytes, Signer | tuple[str, str]] = {}
        self._verdicts_at: tuple[int, int] = (-1, -1)

    def admit(self, wire: bytes, *, now_ms: int) -> SignedTransaction:
        """The decoded transaction if every check passes, else :class:`AdmissionRejected`."""
        try:
            return self._admit(wire, now_ms)
        except AdmissionRejected:
            raise
        except (SdkError, InvalidTransaction) as exc:
            raise AdmissionRejected(exc.message, code=exc.code) from exc

    def admit_many(
        self, wires: Sequence[bytes], now_ms: int
    ) -> list[SignedTransaction | AdmissionRejected]:
        """:meth:`admit` for each item; a refusal is returned in its place, not raised."""
        out: list[SignedTransaction | AdmissionRejected] = []
        for wire in wires:
            try:
                out.append(self.admit(wire, now_ms=now_ms))
            except AdmissionRejected as exc:
                out.append(exc)
        return out

    def _admit(self, wire: bytes, now_ms: int) -> SignedTransaction:
        signed = SignedTransaction.from_wire(wire, max_size=self.max_tx_bytes)
        tx = signed.tx
        if tx.chain_id != self.chain_id:
            raise AdmissionRejected(wrong_chain_message(tx, self.chain_id), code=TX_WRONG_CHAIN)
        refusal = time_window_refusal(tx, now_ms, self.time_window_ms)
        if refusal is not None:
            raise AdmissionRejected(
                time_window_message(tx, now_ms, self.time_window_ms), code=refusal
            )
        signer = self._resolve(tx.signer, now_ms)
        key = self.keys.get(self._read, tx.signer)
        if key is None:
            raise SignerRejected(SIGNER_UNKNOWN, f"key {tx.signer.hex()[:16]}… has no certificate")
        signed.verify(key)
        if self.registry is not None:
            check_call(self.registry, tx, signer)
        return signed

    def _resolve(self, key_id: bytes, now_ms: int) -> Signer:
        """``resolve_signer`` over committed state, remembered for this height and second.

        Membership only changes with a block and certificate validity is checked to the
        millisecond but matters at second scale, so a batch from a few signers resolves each
        once. Concurrent callers may race on the table: at worst a verdict lives a second
        longer, and the chain checks again at block time anyway.
        """
        stamp = (self.store.height(), now_ms // 1000)
        if stamp != self._verdicts_at:
            self._verdicts = {}
            self._verdicts_at = stamp
        verdict = self._verdicts.get(key_id)
        if verdict is None:
            try:
                verdict = resolve_signer(self._read, key_id.hex(), now_ms)
            except SignerRejected as exc:
                verdict = (exc.code, exc.message)
            self._verdicts[key_id] = verdict
        if isinstance(verdict, tuple):
            raise SignerRejected(*verdict)
        return verdict


def check_call(registry: ContractRegistry, tx: UnsignedTransaction, signer: Signer) -> None:
    """Refuse what execution would surely refuse: unknown call, bad arguments, missing role."""
    spec = registry.spec(tx.contract, tx.function)
    if not isinstance(tx.args, Mapping):
        raise InvalidArguments(
            f"{tx.contract}.{tx.function}: arguments must be a map of names to values"
        )
    try:
        spec.args.model_validate(dict(tx.args))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(args)'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise InvalidArguments(f"{tx.contract}.{tx.function}: {problems}") from exc
    if not signer.has_any(spec.roles):
        raise missing_role(f"{tx.contract}.{tx.function}", signer, spec.roles)
