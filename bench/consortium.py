"""What a benchmark needs from a consortium folder: chain id, API addresses, member keys.

The folder is the one `rxl network init --dir` wrote (network/layout.py). Member keys are
read from ``<org>/members/<name>.key``: under the empty passphrase for an
``--insecure-dev-keys`` consortium, else under ``$RXL_KEY_PASSPHRASE``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.errors import ConsortiumUnusable
from network.errors import NetworkError
from network.layout import ConsortiumLayout
from network.local import LocalNode, load_nodes
from sdk.errors import SdkError, WrongPassphrase
from sdk.keyfile import load_key
from sdk.keys import SigningKey

PASSPHRASE_ENV: Final = "RXL_KEY_PASSPHRASE"


@dataclass(frozen=True, slots=True)
class MemberRef:
    """A member by its organization and name, e.g. ``manufacturer/operator``."""

    org: str
    name: str

    def __str__(self) -> str:
        return f"{self.org}/{self.name}"


@dataclass(frozen=True, slots=True)
class Consortium:
    directory: Path
    chain_id: str
    nodes: tuple[LocalNode, ...]

    @property
    def api_urls(self) -> list[str]:
        return [node.api_url for node in self.nodes]

    def node(self, node_id: int) -> LocalNode:
        for node in self.nodes:
            if node.node_id == node_id:
                return node
        raise ConsortiumUnusable(f"the consortium in {self.directory} has no node {node_id}")

    def key(self, member: MemberRef) -> SigningKey:
        """The member's signing key (empty passphrase first, then ``$RXL_KEY_PASSPHRASE``)."""
        path = ConsortiumLayout(self.directory).org(member.org).member_key(member.name)
        if not path.is_file():
            raise ConsortiumUnusable(
                f"no key file for {member} at {path}; the benchmarks sign as the preset members "
                "of manufacturer, distributor and pharmacy: create the network with `rxl network "
                "init --orgs manufacturer,distributor,pharmacy --insecure-dev-keys`"
            )
        try:
            return load_key(path, "")
        except WrongPassphrase:
            passphrase = os.environ.get(PASSPHRASE_ENV)
            if not passphrase:
                raise ConsortiumUnusable(
                    f"{path} is encrypted under a passphrase: set ${PASSPHRASE_ENV}"
                ) from None
        try:
            return load_key(path, passphrase)
        except SdkError as exc:
            raise ConsortiumUnusable(f"cannot read {path}: {exc}") from exc


def load_consortium(directory: Path) -> Consortium:
    """The consortium in ``directory``; ConsortiumUnusable says what is missing."""
    try:
        nodes = load_nodes(directory)
    except NetworkError as exc:
        raise ConsortiumUnusable(str(exc)) from exc
    genesis = ConsortiumLayout(directory).genesis
    chain_id = json.loads(genesis.read_text(encoding="utf-8")).get("chain_id")
    if not isinstance(chain_id, str):
        raise ConsortiumUnusable(f"{genesis} has no chain_id; regenerate the consortium")
    return Consortium(directory, chain_id, tuple(nodes))
