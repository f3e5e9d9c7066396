"""One test per safety claim of the Raft paper (Figure 3), plus §5.4.2 and the §5.2 vote
rules. Section numbers refer to Ongaro & Ousterhout, "In Search of an Understandable
Consensus Algorithm" (2014)."""

from __future__ import annotations

import random

import pytest

from consensus import Entry, Message, MessageType, RawNode, Role
from consensus.testing import SafetyChecker, SafetyViolation, run_seed
from tests.consensus.helpers import cluster, drain, elect, lone_node, n, raft_of

MT = MessageType


def vote_request(to: int, frm: int, term: int, index: int, log_term: int) -> Message:
    return Message(MT.VOTE, to=n(to), from_=n(frm), term=term, index=index, log_term=log_term)


def test_election_safety_one_vote_per_term_survives_restart() -> None:
    """Figure 3 Election Safety (§5.2): a server votes for at most one candidate per term,
    and the vote is persisted so a restart cannot vote twice."""
    raw, storage = lone_node(1, pre_vote=False)
    raw.step(vote_request(1, 2, term=2, index=3, log_term=1))
    granted = [m for m in drain(raw, storage) if m.type is MT.VOTE_RESPONSE]
    assert [m.reject for m in granted] == [False]
    raw.step(vote_request(1, 3, term=2, index=3, log_term=1))
    assert [m.reject for m in drain(raw, storage)] == [True]
    restarted = RawNode(raw._raft.cfg, storage, random.Random(9))
    restarted.step(vote_request(1, 3, term=2, index=3, log_term=1))
    assert [m.reject for m in drain(restarted, storage)] == [True]


def test_election_safety_at_most_one_leader_per_term_under_faults() -> None:
    """Figure 3 Election Safety, checked by the simulator's checker over faulty runs."""
    for seed in range(5):
        sim = run_seed(seed)
        assert len(sim.checker.leaders) == len(set(sim.checker.leaders))
        assert sim.checker.leaders


def test_leader_append_only() -> None:
    """Figure 3 Leader Append-Only (§5.3): a leader never overwrites or deletes entries; an
    AppendEntries of an older term is rejected and leaves its log untouched."""
    c = cluster(3)
    elect(c, 1)
    leader = raft_of(c, 1)
    before = leader.log.entries_from(1, 1 << 30)
    stale = Message(
        MT.APPEND,
        to=n(1),
        from_=n(2),
        term=1,
        index=3,
        log_term=1,
        entries=(Entry(1, 4, data=b"overwrite"),),
        commit=3,
    )
    c.nodes[n(1)].node().step(stale)
    assert leader.log.entries_from(1, 1 << 30) == before
    assert leader.role is Role.LEADER
    c.nodes[n(1)].node().propose(b"x")
    after = leader.log.entries_from(1, 1 << 30)
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1


def test_log_matching() -> None:
    """Figure 3 Log Matching (§5.3): a follower accepts entries only if its log holds the
    leader's previous entry, and replaces a conflicting suffix."""
    raw, storage = lone_node(2)
    raw.step(Message(MT.APPEND, to=n(2), from_=n(1), term=2, index=5, log_term=2, commit=3))
    [reject] = drain(raw, storage)
    assert reject.reject
    assert reject.reject_hint == 3
    ents = (Entry(2, 4, data=b"a"), Entry(2, 5, data=b"b"))
    raw.step(Message(MT.APPEND, to=n(2), from_=n(1), term=2, index=3, log_term=1, entries=ents))
    [ok] = drain(raw, storage)
    assert not ok.reject
    assert ok.index == 5
    replacement = (Entry(3, 5, data=b"c"),)
    raw.step(
        Message(MT.APPEND, to=n(2), from_=n(3), term=3, index=4, log_term=2, entries=replacement)
    )
    drain(raw, storage)
    assert storage.entries(4, 6, 1 << 20) == [Entry(2, 4, data=b"a"), Entry(3, 5, data=b"c")]


def test_leader_completeness_vote_needs_up_to_date_log() -> None:
    """Figure 3 Leader Completeness (§5.4.1): a voter refuses a candidate whose log is less
    up to date, so a leader always holds every committed entry."""
    raw, storage = lone_node(1, pre_vote=False, check_quorum=False)
    raw.step(
        Message(
            MT.APPEND,
            to=n(1),
            from_=n(2),
            term=2,
            index=3,
            log_term=1,
            entries=(Entry(2, 4, data=b"committed"),),
            commit=4,
        )
    )
    drain(raw, storage)
    raw.step(vote_request(1, 3, term=3, index=3, log_term=1))  # lacks entry 4
    [shorter] = drain(raw, storage)
    assert shorter.reject
    raw.step(vote_request(1, 3, term=4, index=4, log_term=2))
    [equal] = drain(raw, storage)
    assert not equal.reject


def test_state_machine_safety_checker_rejects_divergent_apply() -> None:
    """Figure 3 State Machine Safety (§5.4.3): the checker used after every simulator step
    fails when two servers apply different entries at one index."""
    checker = SafetyChecker(seed=42)
    checker.on_applied(n(1), (Entry(1, 1, data=b"a"),), b"x")
    with pytest.raises(SafetyViolation, match="seed 42"):
        checker.on_applied(n(2), (Entry(1, 1, data=b"b"),), b"y")


def test_state_machine_safety_all_nodes_apply_the_same_sequence() -> None:
    """§5.4.3 end to end: after faults and healing, every server applied the same entries."""
    sim = run_seed(3)
    digests = {sim.nodes[i].sm.applied: sim.nodes[i].sm.digest for i in sim.nodes}
    assert len(sim.checker.digests) > 0
    for index, digest in digests.items():
        if index:
            assert sim.checker.digests[index] == digest


def test_old_term_entries_are_not_committed_by_counting() -> None:
    """§5.4.2 (Figure 8): a leader does not commit an entry of an older term because a
    majority holds it; it commits only once an entry of its own term is replicated."""
    raw, storage = lone_node(1, pre_vote=False)
    storage.append([Entry(1, 4, data=b"old")])  # uncommitted entry from term 1
    raw = RawNode(raw._raft.cfg, storage, random.Random(1))
    raw.campaign()
    drain(raw, storage)
    raw.step(Message(MT.VOTE_RESPONSE, to=n(1), from_=n(2), term=2))
    drain(raw, storage)
    r = raw._raft
    assert r.role is Role.LEADER
    assert r.log.last_index() == 5
    raw.step(Message(MT.APPEND_RESPONSE, to=n(1), from_=n(2), term=2, index=4))
    drain(raw, storage)
    assert r.log.committed == 3  # index 4 is on a majority but is of term 1
    raw.step(Message(MT.APPEND_RESPONSE, to=n(1), from_=n(2), term=2, index=5))
    drain(raw, storage)
    assert r.log.committed == 5  # committing 5 commits 4 with it


def test_vote_rules_stale_term_rejected_and_higher_term_adopted() -> None:
    """§5.1/§5.2: a request from a stale term is rejected with our term; a higher term
    makes a leader step down."""
    c = cluster(3, pre_vote=False)
    elect(c, 1)
    node = c.nodes[n(2)].node()
    node.step(vote_request(2, 3, term=1, index=9, log_term=9))
    rd = node.ready()
    [resp] = [m for m in rd.messages if m.type is MT.VOTE_RESPONSE]
    assert resp.reject
    assert resp.term == 2
    node.advance(rd)
    leader = c.nodes[n(1)].node()
    leader.step(Message(MT.APPEND_RESPONSE, to=n(1), from_=n(3), term=5, index=0))
    assert leader._raft.role is Role.FOLLOWER
    assert leader._raft.term == 5


def test_vote_rules_up_to_date_compares_last_term_then_index() -> None:
    """§5.4.1: higher last term wins regardless of length; equal terms compare index."""
    raw, _ = lone_node(1)
    log = raw._raft.log  # last entry is 1/3
    assert log.is_up_to_date(1, 2)  # higher term, shorter log
    assert log.is_up_to_date(3, 1)
    assert not log.is_up_to_date(2, 1)
    assert not log.is_up_to_date(9, 0)


def test_randomized_election_timeout_is_in_range() -> None:
    """§5.2: timeouts are drawn from [election_tick, 2*election_tick) by the injected RNG."""
    raw, _ = lone_node(1, election_tick=10)
    seen = set()
    for _ in range(200):
        raw._raft.become_follower(raw._raft.term, raw._raft.leader)
        seen.add(raw._raft.randomized_election_timeout)
    assert min(seen) >= 10
    assert max(seen) < 20
    assert len(seen) > 5
