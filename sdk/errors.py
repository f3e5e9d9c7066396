"""Every error the sdk raises, each with a stable ``code`` the node's HTTP API reuses.

The API answers ``{"error": {"code": ..., "message": ...}}`` (DESIGN.md, Client API); the code
is the class attribute below and never changes once released, the message is for humans.

    SdkError                          sdk.error           base of everything raised here
    ├── EncodingError                 encoding.invalid    bytes or value outside canonical msgpack
    │   ├── UnsupportedType           encoding.unsupported_type   float, ext, set, object, ...
    │   ├── FloatNotAllowed           encoding.float
    │   ├── ExtTypeNotAllowed         encoding.ext_type
    │   ├── IntegerOutOfRange         encoding.int_range          outside int64/uint64
    │   ├── InvalidUtf8               encoding.invalid_utf8
    │   ├── NonStrKey                 encoding.non_str_key
    │   ├── DuplicateKey              encoding.duplicate_key
    │   ├── KeyOrder                  encoding.key_order          keys not sorted by UTF-8 bytes
    │   ├── NonCanonical              encoding.non_canonical      non-minimal int/length header
    │   ├── TrailingBytes             encoding.trailing_bytes
    │   ├── Truncated                 encoding.truncated
    │   ├── Malformed                 encoding.malformed          not msgpack at all
    │   ├── TooDeep                   encoding.too_deep
    │   ├── TooLarge                  encoding.too_large
    │   └── SchemaError               encoding.schema             valid msgpack, wrong shape/types
    ├── KeyFormatError                key.invalid         wrong key length or bytes
    ├── UnsupportedAlgorithm          key.unsupported_algorithm
    ├── SignatureError                signature.error     base of signature failures
    │   ├── InvalidSignature          signature.invalid   tampered, wrong key or wrong domain
    │   ├── MalformedSignature        signature.malformed wrong length or algorithm id
    │   └── SignerMismatch            signature.signer_mismatch  key is not the named signer
    ├── KeyFileError                  keyfile.error
    │   ├── WrongPassphrase           keyfile.wrong_passphrase
    │   ├── KeyFileCorrupt            keyfile.corrupt     unreadable, truncated or inconsistent file
    │   └── KeyFileExists             keyfile.exists      refusing to overwrite a key
    ├── CertificateError              cert.invalid
    │   ├── CertMalformed             cert.malformed      not PEM/DER, missing or bad fields
    │   ├── CertExpired               cert.expired
    │   ├── CertNotYetValid           cert.not_yet_valid
    │   ├── CertBadSignature          cert.bad_signature
    │   ├── CertIssuerMismatch        cert.issuer_mismatch  issuer name is not the root's subject
    │   ├── CertIssuerNotCA           cert.issuer_not_ca  the "root" may not sign certificates
    │   ├── CertWrongUsage            cert.wrong_usage    a CA used as member, missing EKU/KU
    │   ├── CertOrgMismatch           cert.org_mismatch   subject O differs from the CA's
    │   └── CertUnsupportedKey        cert.unsupported_key  not Ed25519
    ├── TxError                       tx.invalid
    │   ├── TxMalformed               tx.malformed        structure or field out of bounds
    │   └── TxTooLarge                tx.too_large
    ├── BlockError                    block.invalid
    │   ├── BlockMalformed            block.malformed
    │   ├── BlockTooLarge             block.too_large
    │   ├── TxRootMismatch            block.tx_root_mismatch
    │   └── ResultsRootMismatch       block.results_root_mismatch
    └── ProofError                    proof.invalid       a proof cannot be built (bad index/size)

Verification functions that answer a yes/no question (``merkle.verify_inclusion``) return a
bool; everything else raises one of the above, ``from`` the underlying library error.
"""

from __future__ import annotations


class SdkError(Exception):
    """Base of every sdk error; ``code`` is stable, ``message`` is for humans."""

    code: str = "sdk.error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


# --- canonical encoding -------------------------------------------------------------------


class EncodingError(SdkError):
    code = "encoding.invalid"


class UnsupportedType(EncodingError):
    code = "encoding.unsupported_type"


class FloatNotAllowed(UnsupportedType):
    code = "encoding.float"


class ExtTypeNotAllowed(UnsupportedType):
    code = "encoding.ext_type"


class IntegerOutOfRange(EncodingError):
    code = "encoding.int_range"


class InvalidUtf8(EncodingError):
    code = "encoding.invalid_utf8"


class NonStrKey(EncodingError):
    code = "encoding.non_str_key"


class DuplicateKey(EncodingError):
    code = "encoding.duplicate_key"


class KeyOrder(EncodingError):
    code = "encoding.key_order"


class NonCanonical(EncodingError):
    code = "encoding.non_canonical"


class TrailingBytes(EncodingError):
    code = "encoding.trailing_bytes"


class Truncated(EncodingError):
    code = "encoding.truncated"


class Malformed(EncodingError):
    code = "encoding.malformed"


class TooDeep(EncodingError):
    code = "encoding.too_deep"


class TooLarge(EncodingError):
    code = "encoding.too_large"


class SchemaError(EncodingError):
    code = "encoding.schema"


# --- keys and signatures ------------------------------------------------------------------


class KeyFormatError(SdkError):
    code = "key.invalid"


class UnsupportedAlgorithm(SdkError):
    code = "key.unsupported_algorithm"


class SignatureError(SdkError):
    code = "signature.error"


class InvalidSignature(SignatureError):
    code = "signature.invalid"


class MalformedSignature(SignatureError):
    code = "signature.malformed"


class SignerMismatch(SignatureError):
    code = "signature.signer_mismatch"


# --- key files ----------------------------------------------------------------------------


class KeyFileError(SdkError):
    code = "keyfile.error"


class WrongPassphrase(KeyFileError):
    code = "keyfile.wrong_passphrase"


class KeyFileCorrupt(KeyFileError):
    code = "keyfile.corrupt"


class KeyFileExists(KeyFileError):
    code = "keyfile.exists"


# --- certificates -------------------------------------------------------------------------


class CertificateError(SdkError):
    code = "cert.invalid"


class CertMalformed(CertificateError):
    code = "cert.malformed"


class CertExpired(CertificateError):
    code = "cert.expired"


class CertNotYetValid(CertificateError):
    code = "cert.not_yet_valid"


class CertBadSignature(CertificateError):
    code = "cert.bad_signature"


class CertIssuerMismatch(CertificateError):
    code = "cert.issuer_mismatch"


class CertIssuerNotCA(CertificateError):
    code = "cert.issuer_not_ca"


class CertWrongUsage(CertificateError):
    code = "cert.wrong_usage"


class CertOrgMismatch(CertificateError):
    code = "cert.org_mismatch"


class CertUnsupportedKey(CertificateError):
    code = "cert.unsupported_key"


# --- transactions, blocks, proofs ---------------------------------------------------------


class TxError(SdkError):
    code = "tx.invalid"


class TxMalformed(TxError):
    code = "tx.malformed"


class TxTooLarge(TxError):
    code = "tx.too_large"


class BlockError(SdkError):
    code = "block.invalid"


class BlockMalformed(BlockError):
    code = "block.malformed"


class BlockTooLarge(BlockError):
    code = "block.too_large"


class TxRootMismatch(BlockError):
    code = "block.tx_root_mismatch"


class ResultsRootMismatch(BlockError):
    code = "block.results_root_mismatch"


class ProofError(SdkError):
    code = "proof.invalid"
