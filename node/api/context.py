"""What every route needs: the service, limits, metrics, rate limiter and access policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from node.api.access import Access
from node.api.errors import RateLimited
from node.api.limits import ApiLimits, RateLimiter
from node.api.metrics import ApiMetrics
from node.service import LedgerService


@dataclass(slots=True)
class ApiContext:
    service: LedgerService
    limits: ApiLimits
    metrics: ApiMetrics
    limiter: RateLimiter
    access: Access
    open_streams: int = field(default=0)
    """Event streams currently open (bounded by ``limits.max_event_streams``)."""

    def check_rate(self, request: Request) -> None:
        """Spend one token of the caller's bucket, or refuse with 429 and Retry-After.

        The caller is the peer address of the connection; behind a reverse proxy, run the
        server with proxy headers enabled so this is the real client, not the proxy.
        """
        client = request.client.host if request.client is not None else "unknown"
        wait_s = self.limiter.acquire(client)
        if wait_s > 0:
            raise RateLimited(
                f"too many requests from {client}; retry in {wait_s:.2f} s", retry_after_s=wait_s
            )
