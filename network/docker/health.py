"""Reading the nodes' ``/health`` from the host, and waiting until the network agrees.

A network is *ready* when every node answers 200 (it knows a leader and has no fork alarm)
and all of them name the same leader. Waiting polls with a deadline; it never sleeps longer
than the poll interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from network.docker.errors import NetworkNotHealthy


@dataclass(frozen=True, slots=True)
class NodeHealth:
    """One node's answer, or why there was none."""

    url: str
    status: int | None
    body: Mapping[str, Any]
    problem: str

    @property
    def healthy(self) -> bool:
        return self.status == 200

    @property
    def leader_id(self) -> int | None:
        leader = self.body.get("leader_id")
        return leader if isinstance(leader, int) else None

    def describe(self) -> str:
        if self.status is None:
            return f"{self.url}: unreachable ({self.problem})"
        return (
            f"{self.url}: {self.status} role={self.body.get('role')} leader={self.leader_id} "
            f"height={self.body.get('height')} {self.problem}".rstrip()
        )


def probe(client: httpx.Client, base_url: str) -> NodeHealth:
    url = f"{base_url}/health"
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        return NodeHealth(url, None, {}, f"{type(exc).__name__}: {exc}")
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    error = body.get("error")
    problem = str(error.get("code", "")) if isinstance(error, dict) else ""
    return NodeHealth(url, response.status_code, body, problem)


def agreed_leader(
    answers: Mapping[str, NodeHealth], among: Collection[int] | None = None
) -> int | None:
    """The leader every node names, if all are healthy and they agree; else None.

    With ``among``, only a leader of those node ids counts: after a leader is stopped or cut
    off, its old followers name it until their election timeout.
    """
    leaders = {health.leader_id for health in answers.values()}
    if not answers or not all(h.healthy for h in answers.values()) or len(leaders) != 1:
        return None
    leader = leaders.pop()
    return leader if among is None or leader in among else None


def wait_for_leader(
    urls: Mapping[str, str],
    *,
    timeout_s: float,
    poll_s: float = 0.25,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
    among: Collection[int] | None = None,
) -> int:
    """Poll every node until all are healthy and name one leader; its node id.

    ``urls`` maps a name (the compose service) to the node's API base URL.
    """
    deadline = clock() + timeout_s
    with httpx.Client(timeout=2.0, transport=transport) as client:
        while True:
            answers = {name: probe(client, url) for name, url in urls.items()}
            leader = agreed_leader(answers, among)
            if leader is not None:
                return leader
            if clock() >= deadline:
                lines = "\n".join(f"  {n}: {h.describe()}" for n, h in sorted(answers.items()))
                raise NetworkNotHealthy(
                    f"the nodes did not agree on a leader within {timeout_s:.0f} s:\n{lines}\n"
                    "look at `python -m network.docker logs`"
                )
            sleep(poll_s)
