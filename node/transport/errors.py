"""Errors of the peer transport.

    TransportError                   base; ``code`` is stable (logs, /health)
    ├── TransportConfigError         bad certificate/key files, CA bundle, peer table or limits:
    │                                raised at construction or update, never on the wire path
    ├── FrameTooLarge                a frame exceeds ``max_frame_bytes`` (sending: a caller bug;
    │                                receiving: the connection is dropped)
    ├── FrameRejected                raised by the upper layer's ``on_frame`` when it cannot
    │                                decode a frame: the transport drops that connection
    ├── ProtocolViolation            bytes on the wire that are not our protocol (garbage before
    │                                or after the hello, a malformed hello, an unexpected frame)
    └── PeerRefused                  a TLS-authenticated peer failed a check the network config
                                     imposes: unknown node id, certificate not pinned for that
                                     id, wrong network id, or it is ourselves

Everything raised while serving a connection is caught at the connection's edge, logged as a
warning and counted; none of it reaches the event loop or the node's tasks.
"""

from __future__ import annotations


class TransportError(Exception):
    code = "transport.error"


class TransportConfigError(TransportError):
    code = "transport.config"


class FrameTooLarge(TransportError):
    code = "transport.frame_too_large"


class FrameRejected(TransportError):
    code = "transport.frame_rejected"


class ProtocolViolation(TransportError):
    code = "transport.protocol"


class PeerRefused(TransportError):
    code = "transport.peer_refused"
