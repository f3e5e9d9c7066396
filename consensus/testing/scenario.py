"""Scripted scenarios whose output reads like a protocol trace (etcd's interaction tests).

A scenario file is a list of blocks separated by blank lines::

    # comment lines are kept
    command arg arg
    ----
    expected output lines

`run_script(text)` executes the commands on a `Cluster` and returns the file rewritten with
the actual output, so a test compares it with the file and `RXL_REWRITE=1` replaces it.

Commands: `cluster voters=3 [learners=1] [spares=1] [pre_vote=false] [check_quorum=false]`,
`campaign N`, `tick N [count]`, `tick-all count`, `stabilize`, `propose N text`,
`conf-change N add-voter|add-learner|remove M`, `transfer N M`, `read-index N ctx`,
`compact N`, `partition 1 2 / 3`, `heal`, `crash N`, `restart N`, `status`, `log N`.
"""

from __future__ import annotations

from collections import deque

from consensus.errors import ConsensusError
from consensus.messages import Message, MessageType
from consensus.testing.node import SimNode
from consensus.types import ConfChange, ConfChangeType, ConfState, Entry, EntryType, NodeId

_SEP = "----"
_CC_TYPES = {
    "add-voter": ConfChangeType.ADD_VOTER,
    "add-learner": ConfChangeType.ADD_LEARNER,
    "remove": ConfChangeType.REMOVE_NODE,
}
_SHORT = {
    MessageType.APPEND: "App",
    MessageType.APPEND_RESPONSE: "AppResp",
    MessageType.VOTE: "Vote",
    MessageType.VOTE_RESPONSE: "VoteResp",
    MessageType.PRE_VOTE: "PreVote",
    MessageType.PRE_VOTE_RESPONSE: "PreVoteResp",
    MessageType.SNAPSHOT: "Snap",
    MessageType.HEARTBEAT: "Heartbeat",
    MessageType.HEARTBEAT_RESPONSE: "HeartbeatResp",
    MessageType.TRANSFER_LEADER: "TransferLeader",
    MessageType.TIMEOUT_NOW: "TimeoutNow",
    MessageType.READ_INDEX: "ReadIndex",
    MessageType.READ_INDEX_RESPONSE: "ReadIndexResp",
}


def describe_entry(e: Entry) -> str:
    if e.type is EntryType.CONF_CHANGE:
        cc = ConfChange.decode(e.data)
        return f"{e.term}/{e.index} conf:{cc.type.name.lower()}({cc.node_id})"
    return f"{e.term}/{e.index} {e.data.decode(errors='replace')!r}"


def describe(m: Message) -> str:
    parts = [f"{m.from_}->{m.to} {_SHORT.get(m.type, m.type.name)} term={m.term}"]
    if m.type in (MessageType.APPEND, MessageType.VOTE, MessageType.PRE_VOTE):
        parts.append(f"log={m.log_term}/{m.index}")
    if m.type is MessageType.APPEND:
        parts.append(f"commit={m.commit}")
        parts.append("[" + ", ".join(describe_entry(e) for e in m.entries) + "]")
    if m.type is MessageType.HEARTBEAT:
        parts.append(f"commit={m.commit}")
    if m.type in (MessageType.APPEND_RESPONSE, MessageType.READ_INDEX_RESPONSE):
        parts.append(f"index={m.index}")
    if m.reject:
        parts.append("REJECT" + (f" hint={m.log_term}/{m.reject_hint}" if m.reject_hint else ""))
    if m.snapshot is not None:
        meta = m.snapshot.metadata
        parts.append(f"snapshot={meta.term}/{meta.index} voters={sorted(meta.conf_state.voters)}")
    if m.context:
        parts.append(f"ctx={m.context.decode(errors='replace')}")
    return " ".join(parts)


class Cluster:
    """Nodes driven explicitly, messages delivered in FIFO order by `stabilize`."""

    def __init__(self) -> None:
        self.nodes: dict[NodeId, SimNode] = {}
        self.queue: deque[Message] = deque()
        self.groups: dict[NodeId, int] = {}
        self.out: list[str] = []
        self._last_soft: dict[NodeId, object] = {}

    # -- setup and helpers ----------------------------------------------------------------

    def setup(self, voters: int, learners: int, spares: int, **knobs: int | bool) -> None:
        ids = [NodeId(i) for i in range(1, voters + learners + spares + 1)]
        conf = ConfState(frozenset(ids[:voters]), frozenset(ids[voters : voters + learners]))
        knobs = {"election_tick": 10, "heartbeat_tick": 1, **knobs}
        for node_id in ids:
            start = conf if node_id in conf.members() else ConfState()
            self.nodes[node_id] = SimNode(node_id, start, seed=node_id, **knobs)
        self.process()

    def node(self, raw: str) -> SimNode:
        return self.nodes[NodeId(int(raw))]

    def process(self) -> None:
        """Handle every node's Ready: persist, queue messages, apply, trace changes."""
        progress = True
        while progress:
            progress = False
            for node_id in sorted(self.nodes):
                node = self.nodes[node_id]
                while node.alive and node.node().has_ready():
                    progress = True
                    self._handle(node)

    def _handle(self, node: SimNode) -> None:
        out = node.handle_ready()
        now = node.node().status()
        if now.soft_state != self._last_soft.get(node.id):
            self._last_soft[node.id] = now.soft_state
            self.out.append(
                f"node {node.id}: {now.soft_state.role.value} term={now.hard_state.term} "
                f"leader={now.soft_state.leader}"
            )
        if out.snapshot_index:
            self.out.append(f"node {node.id}: installed snapshot at {out.snapshot_index}")
        for e in out.applied:
            if e.data:
                self.out.append(f"node {node.id}: applied {describe_entry(e)}")
        for rs in out.read_states:
            self.out.append(f"node {node.id}: read-state index={rs.index} ctx={rs.ctx.decode()}")
        self.queue.extend(out.messages)

    def stabilize(self) -> None:
        self.process()
        while self.queue:
            m = self.queue.popleft()
            target = self.nodes.get(m.to)
            if target is None or not target.alive:
                self.out.append(f"dropped (down): {describe(m)}")
                continue
            if self.groups.get(m.from_, 0) != self.groups.get(m.to, 0):
                self.out.append(f"dropped (partition): {describe(m)}")
                continue
            self.out.append(describe(m))
            target.node().step(m)
            self.process()

    # -- commands -------------------------------------------------------------------------

    def run(self, line: str) -> list[str]:
        self.out = []
        words = line.split()
        cmd, args = words[0], words[1:]
        try:
            self._dispatch(cmd, args)
        except ConsensusError as exc:
            self.out.append(f"error: {type(exc).__name__}: {exc}")
        return self.out

    def _dispatch(self, cmd: str, args: list[str]) -> None:
        if cmd == "cluster":
            opts = dict(a.split("=") for a in args)
            knobs: dict[str, int | bool] = {}
            for key in ("pre_vote", "check_quorum"):
                if key in opts:
                    knobs[key] = opts[key] == "true"
            self._last_soft = {}
            self.setup(
                int(opts.get("voters", "3")),
                int(opts.get("learners", "0")),
                int(opts.get("spares", "0")),
                **knobs,
            )
            self.out = []  # the bootstrap entries' noise is not part of the story
            self._status()
        elif cmd == "campaign":
            self.node(args[0]).node().campaign()
            self.process()
        elif cmd == "tick":
            for _ in range(int(args[1]) if len(args) > 1 else 1):
                self.node(args[0]).node().tick()
            self.process()
        elif cmd == "tick-all":
            for _ in range(int(args[0])):
                for node_id in sorted(self.nodes):
                    if self.nodes[node_id].alive:
                        self.nodes[node_id].node().tick()
                self.stabilize()
        elif cmd == "stabilize":
            self.stabilize()
        elif cmd == "propose":
            self.node(args[0]).node().propose(" ".join(args[1:]).encode())
            self.process()
        elif cmd == "conf-change":
            change = ConfChange(_CC_TYPES[args[1]], NodeId(int(args[2])))
            self.node(args[0]).node().propose_conf_change(change)
            self.process()
        elif cmd == "transfer":
            self.node(args[0]).node().transfer_leader(NodeId(int(args[1])))
            self.process()
        elif cmd == "read-index":
            self.node(args[0]).node().read_index(args[1].encode())
            self.process()
        elif cmd == "compact":
            node = self.node(args[0])
            node.compact(keep=0)
            self.out.append(f"node {node.id}: log starts at {node.storage.first_index()}")
        else:
            self._dispatch_faults(cmd, args)

    def _dispatch_faults(self, cmd: str, args: list[str]) -> None:
        if cmd == "partition":
            side = 0
            self.groups = {}
            for a in args:
                if a == "/":
                    side += 1
                else:
                    self.groups[NodeId(int(a))] = side
        elif cmd == "heal":
            self.groups = {}
        elif cmd == "crash":
            self.node(args[0]).crash()
        elif cmd == "restart":
            self.node(args[0]).restart()
            self.process()
        elif cmd == "status":
            self._status()
        elif cmd == "log":
            node = self.node(args[0])
            raft = node.node()._raft
            ents = raft.log.entries_from(raft.log.first_index(), 1 << 62)
            self.out.append(
                f"node {node.id}: first={raft.log.first_index()} "
                + ", ".join(describe_entry(e) for e in ents)
            )
        else:
            raise ValueError(f"unknown scenario command {cmd!r}")

    def _status(self) -> None:
        for node_id in sorted(self.nodes):
            node = self.nodes[node_id]
            if not node.alive:
                self.out.append(f"node {node_id}: down")
                continue
            st = node.node().status()
            self.out.append(
                f"node {node_id}: {st.soft_state.role.value} term={st.hard_state.term} "
                f"leader={st.soft_state.leader} commit={st.hard_state.commit} "
                f"applied={st.applied} last={st.last_index} "
                f"voters={sorted(st.conf_state.voters)} learners={sorted(st.conf_state.learners)}"
            )


def run_script(text: str) -> str:
    """Run every block of a scenario file; return the file with actual outputs."""
    cluster = Cluster()
    blocks = [b for b in text.strip("\n").split("\n\n") if b.strip()]
    rendered: list[str] = []
    for block in blocks:
        lines = block.split("\n")
        comments = [ln for ln in lines if ln.startswith("#")]
        body = [ln for ln in lines if not ln.startswith("#")]
        if not body:
            rendered.append("\n".join(comments))
            continue
        command = body[0]
        output = cluster.run(command) if command.strip() else []
        rendered.append("\n".join([*comments, command, _SEP, *(output or ["ok"])]))
    return "\n\n".join(rendered) + "\n"
