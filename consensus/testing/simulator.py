"""A deterministic Raft cluster simulator driven by ONE seed.

Virtual time is ticks. Each tick: every live server ticks; random events happen (client
proposals, crashes and restarts, partitions and heals, snapshots and compaction,
membership changes, leader transfers, ReadIndex requests); then due messages are delivered
in random order, each subject to drop, duplication and delay (which reorders them). The
`SafetyChecker` runs after every delivery and every handled Ready. Everything random comes
from `random.Random(seed)`, so a seed replays exactly.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field

from consensus.errors import ProposalDropped
from consensus.messages import Message, MessageType
from consensus.raft import Raft
from consensus.testing.checker import SafetyChecker
from consensus.testing.node import CrashPoint, ReadyOutcome, SimNode
from consensus.types import ConfChange, ConfChangeType, ConfState, NodeId, Role


class LivenessFailure(AssertionError):
    """After healing every fault the cluster did not commit a final proposal in time."""


@dataclass(frozen=True, slots=True)
class Faults:
    """Per-tick (events) or per-message (network) probabilities."""

    drop: float = 0.05
    duplicate: float = 0.02
    max_delay: int = 2
    crash: float = 0.01
    crash_in_ready: float = 0.01
    restart: float = 0.2
    partition: float = 0.01
    heal: float = 0.1
    propose: float = 0.3
    compact: float = 0.05
    conf_change: float = 0.02
    transfer: float = 0.01
    read: float = 0.05
    wire_roundtrip: float = 0.2

    @classmethod
    def random(cls, rng: random.Random) -> Faults:
        """A fault mix drawn from the seed, from calm to hostile."""
        return cls(
            drop=rng.choice((0.0, 0.02, 0.1, 0.2)),
            duplicate=rng.choice((0.0, 0.02, 0.05)),
            max_delay=rng.choice((0, 1, 3)),
            crash=rng.choice((0.0, 0.01, 0.03)),
            crash_in_ready=rng.choice((0.0, 0.01)),
            partition=rng.choice((0.0, 0.01, 0.03)),
            compact=rng.choice((0.0, 0.05, 0.2)),
            conf_change=rng.choice((0.0, 0.02, 0.05)),
            transfer=rng.choice((0.0, 0.01, 0.03)),
        )


NONE_FAULTS = Faults(
    drop=0.0,
    duplicate=0.0,
    max_delay=0,
    crash=0.0,
    crash_in_ready=0.0,
    partition=0.0,
    conf_change=0.0,
    transfer=0.0,
    compact=0.0,
)


@dataclass(order=True, slots=True)
class _InFlight:
    due: int
    seq: int
    message: Message = field(compare=False)


class Simulator:
    def __init__(
        self,
        seed: int,
        voters: int = 3,
        spares: int = 2,
        faults: Faults | None = None,
        **knobs: int | bool,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.faults = faults if faults is not None else Faults.random(self.rng)
        self.checker = SafetyChecker(seed)
        ids = [NodeId(i) for i in range(1, voters + spares + 1)]
        conf = ConfState(voters=frozenset(ids[:voters]))
        knobs = {
            "election_tick": 10,
            "heartbeat_tick": 2,
            "max_size_per_msg": 64,
            # Every seed also picks the optional protections, so each combination is swept.
            "pre_vote": self.rng.random() < 0.7,
            "check_quorum": self.rng.random() < 0.7,
            "max_inflight_msgs": self.rng.choice((1, 4, 256)),
            **knobs,
        }
        self.nodes: dict[NodeId, SimNode] = {}
        for node_id in ids:
            # Spares start outside the cluster, with an empty configuration.
            start = conf if node_id in conf.voters else ConfState()
            self.nodes[node_id] = SimNode(node_id, start, self.rng.getrandbits(64), **knobs)
        self.now = 0
        self._queue: list[_InFlight] = []
        self._seq = 0
        self._groups: dict[NodeId, int] = {}
        self._reads: dict[bytes, int] = {}
        self._proposed = 0
        self.stats = {"delivered": 0, "dropped": 0, "crashes": 0, "snapshots_sent": 0}

    # -- helpers -------------------------------------------------------------------------

    def rafts(self) -> dict[NodeId, Raft]:
        return {i: n.node()._raft for i, n in self.nodes.items() if n.alive}

    def leader(self) -> SimNode | None:
        leaders = [n for n in self.nodes.values() if n.alive and n.node()._raft.role is Role.LEADER]
        return max(leaders, key=lambda n: n.node()._raft.term, default=None)

    def _check(self) -> None:
        self.checker.check(self.rafts())

    # -- network -------------------------------------------------------------------------

    def _send(self, messages: tuple[Message, ...]) -> None:
        f = self.faults
        for m in messages:
            if m.type is MessageType.SNAPSHOT:
                self.stats["snapshots_sent"] += 1
            copies = 2 if self.rng.random() < f.duplicate else 1
            for _ in range(copies):
                if self.rng.random() < f.drop:
                    self.stats["dropped"] += 1
                    self._report_lost_snapshot(m)
                    continue
                self._seq += 1
                due = self.now + self.rng.randint(0, f.max_delay)
                heapq.heappush(self._queue, _InFlight(due, self._seq, m))

    def _report_lost_snapshot(self, m: Message) -> None:
        sender = self.nodes.get(m.from_)
        if m.type is MessageType.SNAPSHOT and sender is not None and sender.alive:
            sender.node().report_snapshot(m.to, success=False)

    def _deliver(self, m: Message) -> None:
        target = self.nodes.get(m.to)
        if target is None or not target.alive or self._cut(m.from_, m.to):
            self.stats["dropped"] += 1
            return
        if self.rng.random() < self.faults.wire_roundtrip:
            m = Message.from_primitive(m.to_primitive())
        target.node().step(m)
        self.stats["delivered"] += 1
        self._check()

    def _cut(self, a: NodeId, b: NodeId) -> bool:
        return self._groups.get(a, 0) != self._groups.get(b, 0)

    # -- ready handling -----------------------------------------------------------------

    def process_ready(self, node: SimNode) -> None:
        while node.alive and node.node().has_ready():
            crash_at = None
            if self.rng.random() < self.faults.crash_in_ready:
                crash_at = self.rng.choice(list(CrashPoint))
                self.stats["crashes"] += 1
            raft = node.node()._raft
            out = node.handle_ready(crash_at)
            self._record(node, raft, out)

    def _record(self, node: SimNode, raft: Raft, out: ReadyOutcome) -> None:
        if out.snapshot_index:
            self.checker.on_snapshot_installed(node.id, out.snapshot_index, node.sm.digest)
        self.checker.on_persisted(node.id, raft, out.persisted)
        self._send(out.messages)
        if out.applied:
            self.checker.on_applied(node.id, out.applied, node.sm.digest)
        for rs in out.read_states:
            floor = self._reads.pop(rs.ctx, None)
            if floor is not None:
                self.checker.on_read_state(node.id, rs.index, floor)
        self._check()

    def process_all(self) -> None:
        for node_id in sorted(self.nodes):
            self.process_ready(self.nodes[node_id])

    # -- the clock ------------------------------------------------------------------------

    def tick(self) -> None:
        self.now += 1
        for node_id in sorted(self.nodes):
            node = self.nodes[node_id]
            if node.alive:
                node.node().tick()
        self._random_events()
        self._check()
        for _ in range(50):
            due: list[Message] = []
            while self._queue and self._queue[0].due <= self.now:
                due.append(heapq.heappop(self._queue).message)
            if not due:
                break
            self.rng.shuffle(due)
            for m in due:
                self._deliver(m)
                if self.rng.random() < 0.7:
                    self.process_ready(self.nodes[m.to])
            self.process_all()
        self.process_all()

    def run(self, ticks: int) -> None:
        for _ in range(ticks):
            self.tick()

    # -- random events -------------------------------------------------------------------

    def _random_events(self) -> None:
        f, rng = self.faults, self.rng
        live = [n for _, n in sorted(self.nodes.items()) if n.alive]
        down = [n for _, n in sorted(self.nodes.items()) if not n.alive]
        if live and rng.random() < f.crash:
            rng.choice(live).crash()
            self.stats["crashes"] += 1
        if down and rng.random() < f.restart:
            rng.choice(down).restart()
        if rng.random() < f.partition:
            self._groups = {i: rng.randint(0, 1) for i in sorted(self.nodes)}
        if self._groups and rng.random() < f.heal:
            self._groups = {}
        live = [n for _, n in sorted(self.nodes.items()) if n.alive]
        if not live:
            return
        if rng.random() < f.propose:
            # Mostly at the leader (real clients find it), sometimes anywhere.
            leader = self.leader()
            self.propose(leader if leader is not None and rng.random() < 0.8 else rng.choice(live))
        if rng.random() < f.compact:
            rng.choice(live).compact(keep=rng.randint(0, 4))
        if rng.random() < f.conf_change:
            self._conf_change()
        if rng.random() < f.transfer:
            self._transfer()
        if rng.random() < f.read:
            self._read(rng.choice(live))

    def propose(self, node: SimNode) -> bool:
        self._proposed += 1
        try:
            node.node().propose(f"s{self.seed}-v{self._proposed}".encode())
        except ProposalDropped:
            return False
        return True

    def _conf_change(self) -> None:
        leader = self.leader()
        if leader is None:
            return
        conf = leader.node()._raft.conf_state()
        target = self.rng.choice(sorted(self.nodes))
        if target in conf.voters:
            options = [ConfChangeType.REMOVE_NODE, ConfChangeType.ADD_LEARNER]
        elif target in conf.learners:
            options = [ConfChangeType.ADD_VOTER, ConfChangeType.REMOVE_NODE]
        else:
            options = [ConfChangeType.ADD_LEARNER, ConfChangeType.ADD_VOTER]
        change = ConfChange(self.rng.choice(options), target)
        try:
            leader.node().propose_conf_change(change)
        except ProposalDropped:
            return

    def _transfer(self) -> None:
        leader = self.leader()
        if leader is not None:
            voters = sorted(leader.node()._raft.conf_state().voters)
            leader.node().transfer_leader(self.rng.choice(voters))

    def _read(self, node: SimNode) -> None:
        self._seq += 1
        ctx = f"read-{self._seq}".encode()
        try:
            node.node().read_index(ctx)
        except ProposalDropped:
            return
        self._reads[ctx] = self.checker.max_commit()

    # -- liveness ------------------------------------------------------------------------

    def heal_all(self) -> None:
        self._groups = {}
        self.faults = NONE_FAULTS
        for node_id in sorted(self.nodes):
            node = self.nodes[node_id]
            if not node.alive:
                node.restart()

    def check_liveness(self, max_ticks: int = 400) -> int:
        """Heal everything, then require a leader to commit a final value that every
        member of its configuration applies. Returns the ticks it took."""
        self.heal_all()
        final = f"final-{self.seed}".encode()
        accepted = False
        for elapsed in range(1, max_ticks + 1):
            self.tick()
            leader = self.leader()
            if leader is None:
                continue
            if not accepted:
                try:
                    leader.node().propose(final)
                    accepted = True
                except ProposalDropped:
                    continue
            conf = leader.node()._raft.conf_state()
            if all(final in self.nodes[i].sm.values for i in conf.members()):
                return elapsed
            if final not in leader.sm.values and leader.node()._raft.log.last_index() == 0:
                accepted = False
        raise LivenessFailure(
            f"no progress within {max_ticks} ticks after healing (seed {self.seed}; "
            f"reproduce with RXL_SIM_SEED={self.seed} pytest tests/consensus/test_simulation.py)"
        )


def run_seed(seed: int, ticks: int = 300) -> Simulator:
    """One full simulation: `ticks` of mixed faults, then the liveness check."""
    sim = Simulator(seed)
    sim.run(ticks)
    sim.check_liveness()
    return sim
