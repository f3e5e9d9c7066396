"""RawNode behaviour: the Ready contract and requirements 3-8 of the Raft issue."""

from __future__ import annotations

import random

import pytest

from consensus import (
    ConfChange,
    ConfChangeRefused,
    ConfChangeType,
    Config,
    Entry,
    Message,
    MessageType,
    ProgressState,
    ProposalDropped,
    RawNode,
    ReadIndexDropped,
    Role,
)
from consensus.errors import ConfigError, InvalidMessage, UsageError
from tests.consensus.helpers import cluster, drain, elect, lone_node, n, raft_of, voters

MT = MessageType


def test_ready_contract_persist_then_send_then_advance() -> None:
    c = cluster(3)
    elect(c, 1)
    leader = c.nodes[n(1)].node()
    leader.propose(b"v")
    rd = leader.ready()
    assert [e.data for e in rd.entries] == [b"v"]
    assert rd.must_sync
    assert {m.to for m in rd.messages} == {n(2), n(3)}
    assert rd.committed_entries == ()  # nothing commits before the followers ack
    with pytest.raises(UsageError):
        leader.ready()
    with pytest.raises(UsageError):
        leader.advance(type(rd)())
    c.nodes[n(1)].storage.append(rd.entries)
    leader.advance(rd)
    c.queue.extend(rd.messages)
    c.stabilize()
    assert c.nodes[n(3)].sm.values[-1] == b"v"
    assert not leader.has_ready()


def test_ready_reports_soft_and_hard_state_only_on_change() -> None:
    raw, storage = lone_node(1, pre_vote=False)
    raw.campaign()
    rd = raw.ready()
    assert rd.soft_state is not None
    assert rd.soft_state.role is Role.CANDIDATE
    assert rd.hard_state is not None
    assert rd.hard_state.vote == n(1)
    assert rd.must_sync
    storage.set_hard_state(rd.hard_state)
    raw.advance(rd)
    raw.step(Message(MT.HEARTBEAT, to=n(1), from_=n(2), term=2, commit=3))
    rd = raw.ready()
    assert rd.hard_state is None
    assert not rd.must_sync
    raw.advance(rd)


def test_step_refuses_local_types_and_misrouted_messages() -> None:
    raw, _ = lone_node(1)
    with pytest.raises(InvalidMessage):
        raw.step(Message(MT.HUP, to=n(1), from_=n(2)))
    with pytest.raises(InvalidMessage):
        raw.step(Message(MT.HEARTBEAT, to=n(2), from_=n(3), term=5))


def test_config_is_validated() -> None:
    for bad in (
        Config(id=n(0)),
        Config(id=n(1), election_tick=1, heartbeat_tick=1),
        Config(id=n(1), max_inflight_msgs=0),
    ):
        with pytest.raises(ConfigError):
            bad.validate()


def test_follower_proposal_names_the_leader() -> None:
    c = cluster(3)
    with pytest.raises(ProposalDropped) as no_leader:
        c.nodes[n(2)].node().propose(b"x")
    assert no_leader.value.leader_hint is None
    elect(c, 1)
    with pytest.raises(ProposalDropped) as follower:
        c.nodes[n(2)].node().propose(b"x")
    assert follower.value.leader_hint == 1


def test_transfer_drops_proposals_until_done_or_abandoned() -> None:
    c = cluster(3)
    elect(c, 1)
    c.nodes[n(3)].crash()
    leader = c.nodes[n(1)].node()
    leader.transfer_leader(n(3))
    with pytest.raises(ProposalDropped, match="transfer"):
        leader.propose(b"x")
    for _ in range(10):  # one election timeout: the transfer is abandoned
        leader.tick()
    leader.propose(b"x")
    assert raft_of(c, 1).lead_transferee == 0


def test_pre_vote_does_not_raise_the_term() -> None:
    c = cluster(3)
    elect(c, 1)
    c.groups = {n(3): 1}
    for _ in range(40):
        c.nodes[n(3)].node().tick()
    c.stabilize()
    assert raft_of(c, 3).role is Role.PRE_CANDIDATE
    assert raft_of(c, 3).term == 2


def test_check_quorum_leader_steps_down_alone() -> None:
    c = cluster(3)
    elect(c, 1)
    for _ in range(20):
        c.nodes[n(1)].node().tick()
    assert raft_of(c, 1).role is Role.FOLLOWER


def test_leader_lease_ignores_disruptive_vote_requests() -> None:
    """Thesis §4.2.3: with check-quorum, a follower that hears from its leader ignores a
    vote request of a higher term (e.g. from a removed server)."""
    c = cluster(3, pre_vote=False)
    elect(c, 1)
    f = c.nodes[n(2)].node()
    f.step(Message(MT.VOTE, to=n(2), from_=n(3), term=9, index=99, log_term=9))
    assert raft_of(c, 2).term == 2
    assert raft_of(c, 2).vote == 1


def test_pipelining_is_bounded_by_max_inflight() -> None:
    c = cluster(3, max_inflight_msgs=2, max_size_per_msg=1)
    elect(c, 1)
    c.nodes[n(2)].crash()
    leader = c.nodes[n(1)].node()
    for i in range(6):
        leader.propose(bytes([i]) * 4)
    rd = leader.ready()
    to2 = [m for m in rd.messages if m.to == n(2) and m.type is MT.APPEND]
    assert len(to2) == 2
    assert all(len(m.entries) == 1 for m in to2)
    pr = raft_of(c, 1).tracker.progress[n(2)]
    assert pr.state is ProgressState.REPLICATE
    assert pr.inflights.full()
    leader.advance(rd)


def test_fast_backoff_skips_a_divergent_term_in_one_round() -> None:
    raw, storage = lone_node(2, check_quorum=False)
    # The follower holds ten entries of term 2 that the new leader (term 3) never had.
    ents = tuple(Entry(2, i, data=b"d") for i in range(4, 14))
    raw.step(Message(MT.APPEND, to=n(2), from_=n(1), term=2, index=3, log_term=1, entries=ents))
    drain(raw, storage)
    raw.step(Message(MT.APPEND, to=n(2), from_=n(3), term=3, index=13, log_term=3))
    [reject] = drain(raw, storage)
    assert reject.reject
    assert (reject.reject_hint, reject.log_term) == (13, 2)
    # The leader, whose log has only term 1 up to 3, maps the hint with its own terms.
    leader_raw, _ = lone_node(3)
    assert leader_raw._raft.log.find_conflict_by_term(13, 2) == (3, 1)


def test_uncommitted_size_limit_drops_proposals() -> None:
    c = cluster(3, max_uncommitted_entries_size=10)
    elect(c, 1)
    c.nodes[n(2)].crash()
    c.nodes[n(3)].crash()
    leader = c.nodes[n(1)].node()
    leader.propose(b"12345678")
    with pytest.raises(ProposalDropped, match="uncommitted") as exc:
        leader.propose(b"12345")
    assert exc.value.leader_hint == 1


def test_messages_from_unknown_peers_are_ignored() -> None:
    c = cluster(3)
    elect(c, 1)
    leader = c.nodes[n(1)].node()
    leader.step(Message(MT.APPEND_RESPONSE, to=n(1), from_=n(9), term=7, index=3))
    leader.step(Message(MT.HEARTBEAT_RESPONSE, to=n(1), from_=n(9), term=2))
    assert raft_of(c, 1).role is Role.LEADER
    assert raft_of(c, 1).term == 2


def test_stale_append_gets_our_term_back() -> None:
    c = cluster(3)
    elect(c, 1)
    f = c.nodes[n(2)].node()
    f.step(Message(MT.APPEND, to=n(2), from_=n(3), term=1, index=3, log_term=1))
    rd = f.ready()
    assert [(m.type, m.term) for m in rd.messages] == [(MT.APPEND_RESPONSE, 2)]
    f.advance(rd)


def test_one_membership_change_at_a_time() -> None:
    c = cluster(3, spares=1)
    elect(c, 1)
    leader = c.nodes[n(1)].node()
    leader.propose_conf_change(ConfChange(ConfChangeType.ADD_LEARNER, n(4)))
    with pytest.raises(ConfChangeRefused, match="uncommitted"):
        leader.propose_conf_change(ConfChange(ConfChangeType.ADD_VOTER, n(4)))
    c.stabilize()
    with pytest.raises(ConfChangeRefused, match="changes nothing"):
        leader.propose_conf_change(ConfChange(ConfChangeType.ADD_LEARNER, n(4)))
    leader.propose_conf_change(ConfChange(ConfChangeType.ADD_VOTER, n(4)))
    c.stabilize()
    assert leader.status().conf_state.voters == {n(1), n(2), n(3), n(4)}
    assert c.nodes[n(4)].sm.conf.voters == {n(1), n(2), n(3), n(4)}


def test_new_leader_refuses_changes_before_committing_in_its_term() -> None:
    raw, storage = lone_node(1, pre_vote=False)
    raw.campaign()
    drain(raw, storage)
    raw.step(Message(MT.VOTE_RESPONSE, to=n(1), from_=n(2), term=2))
    drain(raw, storage)
    with pytest.raises(ConfChangeRefused, match="its term"):
        raw.propose_conf_change(ConfChange(ConfChangeType.REMOVE_NODE, n(3)))


def test_learners_never_count_for_commit() -> None:
    c = cluster(2, learners=1)
    elect(c, 1)
    c.nodes[n(2)].crash()
    c.nodes[n(1)].node().propose(b"x")
    c.stabilize()
    assert c.nodes[n(3)].storage.last_index() == raft_of(c, 1).log.last_index()
    assert raft_of(c, 1).log.committed < raft_of(c, 1).log.last_index()


def test_learner_vote_does_not_count() -> None:
    c = cluster(2, learners=1, pre_vote=False)
    c.nodes[n(2)].crash()
    c.nodes[n(1)].node().campaign()
    c.stabilize()
    assert raft_of(c, 1).role is Role.CANDIDATE  # only the learner answered


def test_snapshot_progress_then_replicate() -> None:
    c = cluster(3)
    elect(c, 1)
    c.nodes[n(3)].crash()
    for v in (b"a", b"b"):
        c.nodes[n(1)].node().propose(v)
    c.stabilize()
    assert c.nodes[n(1)].compact(keep=0)
    c.nodes[n(3)].restart()
    raft_of(c, 1).tracker.progress[n(3)].become_probe()
    c.nodes[n(1)].node().tick()
    c.stabilize()
    assert c.nodes[n(3)].storage.snapshot().metadata.index == 6
    assert raft_of(c, 1).tracker.progress[n(3)].state is ProgressState.REPLICATE


def test_read_index_waits_for_a_commit_in_the_current_term() -> None:
    raw, storage = lone_node(1, pre_vote=False)
    raw.campaign()
    drain(raw, storage)
    raw.step(Message(MT.VOTE_RESPONSE, to=n(1), from_=n(2), term=2))
    drain(raw, storage)
    raw.read_index(b"r")
    assert not [m for m in drain(raw, storage) if m.context == b"r"]
    raw.step(Message(MT.APPEND_RESPONSE, to=n(1), from_=n(2), term=2, index=4))
    beats = [m for m in drain(raw, storage) if m.type is MT.HEARTBEAT and m.context == b"r"]
    assert {m.to for m in beats} == {n(2), n(3)}
    raw.step(Message(MT.HEARTBEAT_RESPONSE, to=n(1), from_=n(2), term=2, context=b"r"))
    rd = raw.ready()
    assert [(rs.index, rs.ctx) for rs in rd.read_states] == [(4, b"r")]
    raw.advance(rd)


def test_read_index_without_leader_is_refused() -> None:
    c = cluster(3)
    with pytest.raises(ReadIndexDropped):
        c.nodes[n(2)].node().read_index(b"r")


def test_status_reports_progress_on_the_leader() -> None:
    c = cluster(3)
    elect(c, 1)
    st = c.nodes[n(1)].node().status()
    assert st.soft_state.role is Role.LEADER
    assert set(st.progress) == {n(1), n(2), n(3)}
    assert all(p.match == st.last_index for p in st.progress.values())
    assert c.nodes[n(2)].node().status().progress == {}


def test_restart_keeps_only_persisted_state() -> None:
    raw, storage = lone_node(1, pre_vote=False)
    raw.campaign()  # term 2 and the vote are in memory only
    restarted = RawNode(Config(id=n(1)), storage, random.Random(1))
    assert restarted.status().hard_state.term == 1
    drain(raw, storage)
    restarted = RawNode(Config(id=n(1)), storage, random.Random(1))
    assert restarted.status().hard_state.term == 2
    assert restarted.status().hard_state.vote == 1


def test_single_voter_read_waits_for_its_term_commit() -> None:
    """Regression (simulator seed 48): a lone voter must not answer a read with a commit
    index from before its own term's first commit (§6.4)."""
    raw, storage = lone_node(1, conf=voters(1))
    raw.campaign()
    raw.read_index(b"r")
    rd = raw.ready()
    assert rd.read_states == ()  # the no-op of the new term is not yet durable
    storage.append(rd.entries)
    if rd.hard_state is not None:
        storage.set_hard_state(rd.hard_state)
    raw.advance(rd)
    rd = raw.ready()
    assert [(rs.index, rs.ctx) for rs in rd.read_states] == [(2, b"r")]
    raw.advance(rd)
