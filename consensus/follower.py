"""Step functions of followers and (pre-)candidates, and the follower side of
AppendEntries (§5.3), heartbeats and InstallSnapshot (§7)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from consensus.errors import ProposalDropped, ReadIndexDropped
from consensus.messages import Message, MessageType
from consensus.types import NONE, NodeId, ReadState, Role, Snapshot

if TYPE_CHECKING:
    from consensus.raft import Raft

MT = MessageType


def step_follower(r: Raft, m: Message) -> None:
    if m.type is MT.PROPOSE:
        # Proposals are not forwarded: the caller learns the leader and resends there.
        raise ProposalDropped(r.leader if r.leader != NONE else None, "not the leader")
    if m.type in (MT.APPEND, MT.HEARTBEAT, MT.SNAPSHOT):
        r.election_elapsed = 0
        r.leader = m.from_
        _handle_leader_message(r, m)
    elif m.type is MT.TRANSFER_LEADER:
        if r.leader != NONE:
            r.send(replace(m, to=r.leader))
    elif m.type is MT.TIMEOUT_NOW:
        r.hup(transfer=True)
    elif m.type is MT.READ_INDEX:
        if r.leader == NONE:
            _drop_read(r, m, "no leader known")
        else:
            r.send(replace(m, to=r.leader))
    elif m.type is MT.READ_INDEX_RESPONSE:
        r.read_states.append(ReadState(m.index, m.context))


def step_candidate(r: Raft, m: Message) -> None:
    if m.type is MT.PROPOSE:
        raise ProposalDropped(None, "election in progress, no leader")
    if m.type in (MT.APPEND, MT.HEARTBEAT, MT.SNAPSHOT):
        # §5.2: a leader of our term exists; recognise it.
        r.become_follower(m.term, m.from_)
        _handle_leader_message(r, m)
    elif m.type is MT.READ_INDEX:
        _drop_read(r, m, "election in progress, no leader")
    elif (m.type is MT.PRE_VOTE_RESPONSE and r.role is Role.PRE_CANDIDATE) or (
        m.type is MT.VOTE_RESPONSE and r.role is Role.CANDIDATE
    ):
        r.poll(m.from_, granted=not m.reject)


def _drop_read(r: Raft, m: Message, reason: str) -> None:
    if m.from_ == r.id:
        raise ReadIndexDropped(None, reason)


def _handle_leader_message(r: Raft, m: Message) -> None:
    if m.type is MT.APPEND:
        handle_append(r, m)
    elif m.type is MT.HEARTBEAT:
        r.log.commit_to(m.commit)
        r.after_commit()
        r.send(Message(MT.HEARTBEAT_RESPONSE, to=m.from_, context=m.context))
    elif m.snapshot is not None:
        handle_snapshot(r, m.from_, m.snapshot)


def handle_append(r: Raft, m: Message) -> None:
    """§5.3: accept if our log matches at prevLogIndex/prevLogTerm, else reject with a
    hint (our last index not above the probe with a term <= the leader's there)."""
    if m.index < r.log.committed:
        r.send(Message(MT.APPEND_RESPONSE, to=m.from_, index=r.log.committed))
        return
    result = r.log.maybe_append(m.index, m.log_term, m.commit, m.entries)
    if result is not None:
        last_new, written = result
        r.on_entries_written(written)
        r.after_commit()
        r.send(Message(MT.APPEND_RESPONSE, to=m.from_, index=last_new))
        return
    hint_index = min(m.index, r.log.last_index())
    hint_index, hint_term = r.log.find_conflict_by_term(hint_index, m.log_term)
    r.send(
        Message(
            MT.APPEND_RESPONSE,
            to=m.from_,
            index=m.index,
            reject=True,
            reject_hint=hint_index,
            log_term=hint_term,
        )
    )


def handle_snapshot(r: Raft, sender: NodeId, snapshot: Snapshot) -> None:
    """§7 InstallSnapshot: adopt it unless our log already covers it."""
    meta = snapshot.metadata
    if meta.index <= r.log.committed:
        r.send(Message(MT.APPEND_RESPONSE, to=sender, index=r.log.committed))
        return
    if r.log.match_term(meta.index, meta.term):
        # Our log contains the snapshot's last entry: it is committed, keep the suffix.
        r.log.commit_to(meta.index)
        r.after_commit()
        r.send(Message(MT.APPEND_RESPONSE, to=sender, index=r.log.committed))
        return
    r.log.restore(snapshot)
    r.reset_confs(meta.index, meta.conf_state)
    r.send(Message(MT.APPEND_RESPONSE, to=sender, index=r.log.last_index()))
