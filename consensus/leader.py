"""The leader's step function: proposals, replication, commit, ReadIndex, transfer.

Functions take the `Raft` whose role is LEADER. Replication follows §5.3 with the etcd
flow control of `progress.py`; commit follows §5.4.2 (only entries of the current term
are committed by counting replicas, earlier ones commit with them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from consensus.errors import (
    CompactedError,
    ConfChangeRefused,
    InvariantViolation,
    MessageDecodeError,
    ProposalDropped,
)
from consensus.messages import Message, MessageType
from consensus.progress import Progress, ProgressState
from consensus.tracker import VoteResult
from consensus.types import (
    NONE,
    ConfChange,
    EntryType,
    NodeId,
    ReadState,
    Role,
    check_conf_change,
)

if TYPE_CHECKING:
    from consensus.raft import Raft

MT = MessageType


def step_leader(r: Raft, m: Message) -> None:
    if m.type is MT.BEAT:
        # Re-carrying the newest pending read context lets reads survive lost heartbeats.
        bcast_heartbeat(r, r.read_only.last_pending_ctx() or b"")
    elif m.type is MT.CHECK_QUORUM:
        _check_quorum(r)
    elif m.type is MT.PROPOSE:
        _propose(r, m)
    elif m.type is MT.READ_INDEX:
        _read_index(r, m)
    elif m.type is MT.TRANSFER_LEADER:
        _transfer_leader(r, m.from_)
    else:
        pr = r.tracker.progress.get(m.from_)
        if pr is None:
            return
        if m.type is MT.APPEND_RESPONSE:
            _append_response(r, m, pr)
        elif m.type is MT.HEARTBEAT_RESPONSE:
            _heartbeat_response(r, m, pr)
        elif m.type is MT.SNAPSHOT_STATUS:
            _snapshot_status(m, pr)
        elif m.type is MT.UNREACHABLE and pr.state is ProgressState.REPLICATE:
            pr.become_probe()


# -- proposals ------------------------------------------------------------------------------


def _propose(r: Raft, m: Message) -> None:
    if r.id not in r.tracker.progress:
        raise ProposalDropped(None, "this node is no longer in the configuration")
    if r.lead_transferee != NONE:
        raise ProposalDropped(r.id, f"leadership transfer to {r.lead_transferee} in progress")
    conf_changes = [e for e in m.entries if e.type is EntryType.CONF_CHANGE]
    if len(conf_changes) > 1:
        raise ConfChangeRefused(r.id, "one membership change per proposal")
    for entry in conf_changes:
        try:
            cc = ConfChange.decode(entry.data)
        except MessageDecodeError as exc:
            raise ConfChangeRefused(r.id, f"malformed conf change: {exc}") from exc
        check_conf_change_allowed(r, cc)
    size = sum(e.payload_size() for e in m.entries)
    limit = r.cfg.max_uncommitted_entries_size
    # One proposal is always admitted into an empty pipeline, however large, so that an
    # oversized entry cannot wedge the leader.
    if limit and r.uncommitted_size > 0 and r.uncommitted_size + size > limit:
        raise ProposalDropped(
            r.id, f"uncommitted entries would exceed {limit} bytes ({r.uncommitted_size} held)"
        )
    r.append_as_leader(list(m.entries))
    r.uncommitted_size += size
    bcast_append(r)


def check_conf_change_allowed(r: Raft, cc: ConfChange) -> None:
    """One server at a time (thesis §4.1, with the 2015 correction from the raft-dev list).

    Safety: any two configurations that differ by one voter have overlapping majorities,
    so two leaders of one term cannot be elected by the old and the new configuration
    respectively. This holds only if at most one change is in flight and every server that
    can become leader already knows of the previous change. Hence a leader refuses a change
    (a) while the latest conf-change entry in its log is uncommitted, and (b) until it has
    committed an entry of its own term: the latter guarantees that a change started by an
    earlier leader and possibly lost is either committed or overwritten for good before
    another one starts.
    """
    if r.latest_conf_index() > r.log.committed:
        raise ConfChangeRefused(
            r.id, f"membership change at index {r.latest_conf_index()} is still uncommitted"
        )
    if not r.committed_in_current_term():
        raise ConfChangeRefused(r.id, "leader has not yet committed an entry of its term")
    try:
        check_conf_change(r.conf_state(), cc)
    except ConfChangeRefused as exc:
        raise ConfChangeRefused(r.id, exc.reason) from exc


# -- replication (§5.3) ---------------------------------------------------------------------


def send_append(r: Raft, to: NodeId, send_if_empty: bool = True) -> bool:
    """Send `to` the entries from its `next`, or a snapshot if they were compacted (§7)."""
    if r.role is not Role.LEADER:
        return False
    pr = r.tracker.progress[to]
    if pr.is_paused():
        return False
    prev = pr.next - 1
    try:
        prev_term = r.log.term(prev)
        entries = r.log.entries_from(pr.next, r.cfg.max_size_per_msg)
    except CompactedError:
        return _send_snapshot(r, to, pr)
    if not entries and not send_if_empty:
        return False
    r.send(
        Message(
            MT.APPEND,
            to=to,
            index=prev,
            log_term=prev_term,
            entries=tuple(entries),
            commit=r.log.committed,
        )
    )
    if entries:
        last = entries[-1].index
        if pr.state is ProgressState.REPLICATE:
            pr.optimistic_update(last)
            pr.inflights.add(last)
        elif pr.state is ProgressState.PROBE:
            pr.probe_sent = True
    return True


def _send_snapshot(r: Raft, to: NodeId, pr: Progress) -> bool:
    if not pr.recent_active:
        return False  # do not ship a snapshot to a peer that is probably down
    snapshot = r.log.snapshot()
    if snapshot.is_empty():
        raise InvariantViolation(f"entries for {to} are compacted but there is no snapshot")
    r.send(Message(MT.SNAPSHOT, to=to, snapshot=snapshot))
    pr.become_snapshot(snapshot.metadata.index)
    return True


def bcast_append(r: Raft) -> None:
    for node in sorted(r.tracker.progress):
        if node != r.id:
            send_append(r, node)


def bcast_heartbeat(r: Raft, ctx: bytes) -> None:
    """Heartbeats carry min(match, commit): a follower never learns a commit index beyond
    what it is known to hold (§5.3)."""
    if r.role is not Role.LEADER:
        return
    for node in sorted(r.tracker.progress):
        if node != r.id:
            pr = r.tracker.progress[node]
            commit = min(pr.match, r.log.committed)
            r.send(Message(MT.HEARTBEAT, to=node, commit=commit, context=ctx))


def _append_response(r: Raft, m: Message, pr: Progress) -> None:
    pr.recent_active = True
    if m.reject:
        hint = m.reject_hint
        if m.log_term > 0:
            # Skip every entry of ours that is certain to conflict with the follower's.
            hint, _ = r.log.find_conflict_by_term(m.reject_hint, m.log_term)
        if pr.maybe_decr_to(m.index, hint):
            if pr.state is ProgressState.REPLICATE:
                pr.become_probe()
            send_append(r, m.from_)
        return
    was_paused = pr.is_paused()
    probe_matched = pr.state is ProgressState.PROBE and pr.match == m.index
    if not pr.maybe_update(m.index) and not probe_matched:
        return
    if pr.state is ProgressState.PROBE:
        pr.become_replicate()
    elif pr.state is ProgressState.SNAPSHOT and pr.match >= pr.pending_snapshot:
        pr.become_probe()
        pr.become_replicate()
    elif pr.state is ProgressState.REPLICATE:
        pr.inflights.free_le(m.index)
    if r.maybe_commit():
        bcast_append(r)
    elif was_paused:
        send_append(r, m.from_)
    if r.role is not Role.LEADER or m.from_ not in r.tracker.progress:
        return
    while send_append(r, m.from_, send_if_empty=False):
        pass
    if m.from_ == r.lead_transferee and pr.match == r.log.last_index():
        r.send(Message(MT.TIMEOUT_NOW, to=m.from_))


def _heartbeat_response(r: Raft, m: Message, pr: Progress) -> None:
    pr.recent_active = True
    pr.probe_sent = False
    if pr.state is ProgressState.REPLICATE and pr.inflights.full():
        pr.inflights.free_first_one()
    if pr.match < r.log.last_index():
        send_append(r, m.from_)
    if not m.context:
        return
    acks = r.read_only.recv_ack(m.from_, m.context)
    if acks is None or r.tracker.vote_result(acks) is not VoteResult.WON:
        return
    for status in r.read_only.advance(m.context):
        _answer_read(r, status.request, status.index)


def _snapshot_status(m: Message, pr: Progress) -> None:
    """The transport reports a snapshot sent (or failed): probe again after a heartbeat."""
    if pr.state is not ProgressState.SNAPSHOT:
        return
    if m.reject:
        pr.pending_snapshot = 0
    pr.become_probe()
    pr.probe_sent = True


def tick_snapshots(r: Raft) -> None:
    """A snapshot not acknowledged within an election timeout is presumed lost."""
    for pr in r.tracker.progress.values():
        if pr.state is ProgressState.SNAPSHOT:
            pr.snapshot_elapsed += 1
            if pr.snapshot_elapsed >= r.cfg.election_tick:
                pr.pending_snapshot = 0
                pr.become_probe()


def _check_quorum(r: Raft) -> None:
    """Thesis §6.2: a leader that has not heard from a quorum in an election timeout
    steps down, so a partitioned leader stops serving (and ReadIndex stays safe)."""
    if not r.tracker.quorum_active(r.id):
        r.become_follower(r.term, NONE)
        return
    for node, pr in r.tracker.progress.items():
        if node != r.id:
            pr.recent_active = False


def on_commit(r: Raft) -> None:
    """After the commit index moved: start reads that waited for a current-term commit,
    and step down once our own removal is committed (thesis §4.2.2)."""
    if r.pending_reads and r.committed_in_current_term():
        pending, r.pending_reads = r.pending_reads, []
        for request in pending:
            _start_read(r, request)
    removed = not r.tracker.is_voter(r.id)
    if removed and r.latest_conf_index() <= r.log.committed:
        bcast_append(r)
        r.become_follower(r.term, NONE)


# -- ReadIndex (§6.4) -------------------------------------------------------------------------


def _read_index(r: Raft, m: Message) -> None:
    if not r.committed_in_current_term():
        # §6.4 step 1: the commit index is only known to be current once an entry of
        # this term has been committed (even for a single voter: simulator seed 48).
        r.pending_reads.append(m)
    else:
        _start_read(r, m)


def _start_read(r: Raft, m: Message) -> None:
    if r.tracker.conf.voters == {r.id}:
        _answer_read(r, m, r.log.committed)  # a single voter is its own quorum
        return
    r.read_only.add_request(r.log.committed, m, r.id)
    bcast_heartbeat(r, m.context)


def _answer_read(r: Raft, request: Message, index: int) -> None:
    if request.from_ == r.id:
        r.read_states.append(ReadState(index, request.context))
    else:
        r.send(
            Message(MT.READ_INDEX_RESPONSE, to=request.from_, index=index, context=request.context)
        )


# -- leadership transfer (thesis §3.10) -------------------------------------------------------


def _transfer_leader(r: Raft, target: NodeId) -> None:
    pr = r.tracker.progress.get(target)
    if pr is None or pr.is_learner or target == r.id or target == r.lead_transferee:
        return
    r.election_elapsed = 0  # the transfer must finish within one election timeout
    r.lead_transferee = target
    if pr.match == r.log.last_index():
        r.send(Message(MT.TIMEOUT_NOW, to=target))
    else:
        send_append(r, target)
