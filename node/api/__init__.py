"""The node's client HTTP API (FastAPI): ``create_app(service, limits=ApiLimits())``.

It talks only to :class:`node.service.LedgerService`; ``docs/api.md`` is the reference.
"""

from node.api.app import create_app
from node.api.errors import status_for_code
from node.api.limits import ApiLimits

__all__ = ["ApiLimits", "create_app", "status_for_code"]
