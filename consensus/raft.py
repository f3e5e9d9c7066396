"""The Raft state machine: terms, roles, elections, configuration tracking.

Input is a message or a tick; output is appended to `msgs`, the log and `read_states`. Roles
switch by swapping the step function (follower/candidate in `follower.py`, leader in
`leader.py`). Nothing here performs I/O or reads a clock; time is `tick()` and randomness
is the injected `Rng`.

Membership (thesis §4.1, one server at a time): a configuration takes effect on a server
as soon as its conf-change entry is in that server's log, committed or not, and is undone
if the entry is truncated. See `leader.check_conf_change_allowed` for the safety rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from consensus import follower, leader
from consensus.config import Config, Rng
from consensus.errors import InvariantViolation, MessageDecodeError
from consensus.log import RaftLog
from consensus.messages import CAMPAIGN_TRANSFER, Message, MessageType
from consensus.read_only import ReadOnly
from consensus.storage import Storage
from consensus.tracker import ProgressTracker, VoteResult
from consensus.types import (
    NONE,
    ConfChange,
    ConfState,
    Entry,
    EntryType,
    HardState,
    NodeId,
    ReadState,
    Role,
    SoftState,
    apply_conf_change,
)

MT = MessageType
StepFn = Callable[["Raft", Message], None]

# Responses and leader-bound requests are only accepted from members of our configuration;
# requests from a would-be leader are accepted from anyone, because we may simply not have
# received the entry that added it yet (§4.1).
_FROM_MEMBERS_ONLY = frozenset(
    {
        MT.APPEND_RESPONSE,
        MT.HEARTBEAT_RESPONSE,
        MT.VOTE_RESPONSE,
        MT.PRE_VOTE_RESPONSE,
        MT.READ_INDEX,
        MT.TRANSFER_LEADER,
    }
)
_UNTERMED = frozenset({MT.READ_INDEX, MT.TRANSFER_LEADER})

# Start-up reads the stored log in pages of this much payload (at least one entry each) to
# find its conf-change entries: entries are whole blocks, so the log can be far larger than
# memory, and only the configurations are kept.
REPLAY_PAGE_BYTES = 1 << 20


class Raft:
    """One server's Raft state. Driven through `RawNode`; see its docstring."""

    def __init__(self, config: Config, storage: Storage, rng: Rng) -> None:
        config.validate()
        self.id = config.id
        self.cfg = config
        self.rng = rng
        self.log = RaftLog(storage)
        hard_state, conf_state = storage.initial_state()
        self.tracker = ProgressTracker(config.max_inflight_msgs)
        self.term = hard_state.term
        self.vote = hard_state.vote
        self.role = Role.FOLLOWER
        self.leader = NONE
        self.lead_transferee = NONE
        self.msgs: list[Message] = []
        self.read_states: list[ReadState] = []
        self.read_only = ReadOnly()
        self.pending_reads: list[Message] = []
        self.uncommitted_size = 0
        self.election_elapsed = 0
        self.heartbeat_elapsed = 0
        self.randomized_election_timeout = config.election_tick
        self._step_role: StepFn = follower.step_follower
        # (index, configuration in effect from that index on); [0] is the committed base.
        self.confs: list[tuple[int, ConfState]] = [(self.log.first_index() - 1, conf_state)]
        self._replay_stored_confs()
        self.apply_current_conf()
        self._restore_cursors(hard_state, config.applied)
        self.become_follower(self.term, NONE)

    def _replay_stored_confs(self) -> None:
        """Adopt the configurations of the conf-change entries in storage (§4.1: in effect
        once in the log), reading it page by page so memory stays bounded by one page."""
        lo, hi = self.log.first_index(), self.log.last_index() + 1
        while lo < hi:
            page = self.log.slice(lo, hi, REPLAY_PAGE_BYTES)
            for entry in page:
                if entry.type is EntryType.CONF_CHANGE:
                    self._adopt_conf_change(entry)
            lo = page[-1].index + 1

    def _restore_cursors(self, hard_state: HardState, applied: int) -> None:
        if hard_state.commit > self.log.last_index():
            raise InvariantViolation(
                f"persisted commit {hard_state.commit} is beyond the log "
                f"({self.log.last_index()}): storage lost entries"
            )
        self.log.commit_to(hard_state.commit)
        self.log.applied_to(applied)

    # -- derived state --------------------------------------------------------------------

    def promotable(self) -> bool:
        """Voters of the current configuration campaign; learners never do. Thesis §4.2.2:
        a voter being removed (or demoted) by a still uncommitted change also may, since
        it can hold the log the new configuration needs; its own vote does not count."""
        if self.tracker.is_voter(self.id):
            return True
        if len(self.confs) >= 2 and self.confs[-1][0] > self.log.committed:
            return self.id in self.confs[-2][1].voters
        return False

    def hard_state(self) -> HardState:
        return HardState(self.term, self.vote, self.log.committed)

    def soft_state(self) -> SoftState:
        return SoftState(self.leader, self.role)

    def conf_state(self) -> ConfState:
        return self.tracker.conf

    def committed_in_current_term(self) -> bool:
        return self.log.term_or_zero(self.log.committed) == self.term

    # -- role transitions (§5.2) ---------------------------------------------------------

    def _reset(self, term: int) -> None:
        if term != self.term:
            self.term = term
            self.vote = NONE
        self.leader = NONE
        self.election_elapsed = 0
        self.heartbeat_elapsed = 0
        # §5.2: a fresh random timeout in [election_tick, 2*election_tick) every time.
        self.randomized_election_timeout = self.cfg.election_tick + self.rng.randrange(
            0, self.cfg.election_tick
        )
        self.lead_transferee = NONE
        self.tracker.reset_votes()
        last = self.log.last_index()
        for node, pr in self.tracker.progress.items():
            pr.reset(last + 1)
            if node == self.id:
                pr.match = self.persisted_index()
        self.uncommitted_size = 0
        self.read_only = ReadOnly()
        self.pending_reads = []

    def become_follower(self, term: int, lead: NodeId) -> None:
        self._reset(term)
        self._step_role = follower.step_follower
        self.leader = lead
        self.role = Role.FOLLOWER

    def become_pre_candidate(self) -> None:
        """Thesis §9.6: ask for votes at term+1 without changing term or vote."""
        if self.role is Role.LEADER:
            raise InvariantViolation("a leader cannot become a pre-candidate")
        self._step_role = follower.step_candidate
        self.tracker.reset_votes()
        self.leader = NONE
        self.role = Role.PRE_CANDIDATE

    def become_candidate(self) -> None:
        """§5.2: increment the term and vote for ourselves."""
        if self.role is Role.LEADER:
            raise InvariantViolation("a leader cannot become a candidate")
        self._reset(self.term + 1)
        self._step_role = follower.step_candidate
        self.vote = self.id
        self.role = Role.CANDIDATE

    def become_leader(self) -> None:
        """§5.2/§8: take over and append a no-op entry of the new term, so entries of older
        terms get committed (§5.4.2) and ReadIndex can start (§6.4)."""
        if self.role is Role.FOLLOWER:
            raise InvariantViolation("a follower cannot become leader without an election")
        self._reset(self.term)
        self._step_role = leader.step_leader
        self.leader = self.id
        self.role = Role.LEADER
        own = self.tracker.progress.get(self.id)
        if own is not None:
            own.become_replicate()
        self.append_as_leader([Entry(self.term, 0)])

    # -- ticks ---------------------------------------------------------------------------

    def tick(self) -> None:
        if self.role is Role.LEADER:
            self._tick_heartbeat()
        else:
            self._tick_election()

    def _tick_election(self) -> None:
        self.election_elapsed += 1
        if self.promotable() and self.election_elapsed >= self.randomized_election_timeout:
            self.election_elapsed = 0
            self.step(Message(MT.HUP, from_=self.id))

    def _tick_heartbeat(self) -> None:
        self.heartbeat_elapsed += 1
        self.election_elapsed += 1
        if self.election_elapsed >= self.cfg.election_tick:
            self.election_elapsed = 0
            if self.cfg.check_quorum:
                self.step(Message(MT.CHECK_QUORUM, from_=self.id))
            # A transfer that did not finish within an election timeout is abandoned.
            if self.role is Role.LEADER and self.lead_transferee != NONE:
                self.lead_transferee = NONE
        if self.role is not Role.LEADER:
            return
        leader.tick_snapshots(self)
        if self.heartbeat_elapsed >= self.cfg.heartbeat_tick:
            self.heartbeat_elapsed = 0
            self.step(Message(MT.BEAT, from_=self.id))

    # -- stepping --------------------------------------------------------------------------

    def send(self, m: Message) -> None:
        """Queue `m`; the term is filled in except where the caller set it on purpose."""
        # TRANSFER_LEADER names the transferee in `from_`; it is forwarded unchanged.
        fields: dict[str, object] = {} if m.type is MT.TRANSFER_LEADER else {"from_": self.id}
        voteish = (MT.VOTE, MT.PRE_VOTE, MT.VOTE_RESPONSE, MT.PRE_VOTE_RESPONSE)
        if m.type not in voteish and m.type not in _UNTERMED:
            fields["term"] = self.term
        self.msgs.append(_replace(m, fields))

    def step(self, m: Message) -> None:
        """Process one message (§5.1 term rules first, then the role's step function)."""
        if m.term and m.type in _FROM_MEMBERS_ONLY and not self.tracker.is_member(m.from_):
            return  # requirement: peers outside the configuration are ignored
        if m.type in _UNTERMED and not self.tracker.is_member(m.from_) and m.from_ != self.id:
            return
        if m.term > self.term:
            if not self._accept_higher_term(m):
                return
        elif m.term and m.term < self.term:
            self._answer_stale(m)
            return
        if m.type is MT.HUP:
            self.hup(transfer=False)
        elif m.type in (MT.VOTE, MT.PRE_VOTE):
            self._handle_vote_request(m)
        else:
            self._step_role(self, m)

    def _accept_higher_term(self, m: Message) -> bool:
        """§5.1: a higher term makes us follow it, except (a) vote requests inside the
        leader lease (thesis §4.2.3, disruptive servers) and (b) pre-votes, which never
        change terms (thesis §9.6)."""
        if m.type in (MT.VOTE, MT.PRE_VOTE):
            forced = m.context == CAMPAIGN_TRANSFER
            in_lease = (
                self.cfg.check_quorum
                and self.leader != NONE
                and self.election_elapsed < self.cfg.election_tick
            )
            if in_lease and not forced:
                return False
        if m.type is MT.PRE_VOTE or (m.type is MT.PRE_VOTE_RESPONSE and not m.reject):
            return True
        if m.type in (MT.APPEND, MT.HEARTBEAT, MT.SNAPSHOT):
            self.become_follower(m.term, m.from_)
        else:
            self.become_follower(m.term, NONE)
        return True

    def _answer_stale(self, m: Message) -> None:
        """§5.1: a request with a stale term is rejected with our term, so its sender
        learns it is outdated (a deposed leader steps down, a candidate gives up)."""
        if m.type in (MT.APPEND, MT.HEARTBEAT):
            self.send(Message(MT.APPEND_RESPONSE, to=m.from_))
        elif m.type in (MT.VOTE, MT.PRE_VOTE):
            resp = MT.VOTE_RESPONSE if m.type is MT.VOTE else MT.PRE_VOTE_RESPONSE
            self.send(Message(resp, to=m.from_, term=self.term, reject=True))

    def _handle_vote_request(self, m: Message) -> None:
        """§5.2: one vote per term, first come first served; §5.4.1: only for a candidate
        whose log is at least as up to date as ours. A pre-vote is granted on the same log
        rule for any future term, without recording a vote."""
        resp = MT.VOTE_RESPONSE if m.type is MT.VOTE else MT.PRE_VOTE_RESPONSE
        can_vote = (
            self.vote == m.from_
            or (self.vote == NONE and self.leader == NONE)
            or (m.type is MT.PRE_VOTE and m.term > self.term)
        )
        if can_vote and self.log.is_up_to_date(m.index, m.log_term):
            self.send(Message(resp, to=m.from_, term=m.term))
            if m.type is MT.VOTE:
                self.election_elapsed = 0
                self.vote = m.from_
        else:
            self.send(Message(resp, to=m.from_, term=self.term, reject=True))

    # -- elections ------------------------------------------------------------------------

    def hup(self, transfer: bool) -> None:
        if self.role is Role.LEADER or not self.promotable():
            return
        # Leadership transfer skips pre-vote: the old leader asked for it (thesis §3.10).
        self.campaign(pre=self.cfg.pre_vote and not transfer, transfer=transfer)

    def campaign(self, pre: bool, transfer: bool) -> None:
        if pre:
            self.become_pre_candidate()
            vote_type, term = MT.PRE_VOTE, self.term + 1
        else:
            self.become_candidate()
            vote_type, term = MT.VOTE, self.term
        if self.poll(self.id, granted=True) is VoteResult.WON:
            return
        ctx = CAMPAIGN_TRANSFER if transfer else b""
        last_index, last_term = self.log.last_index(), self.log.last_term()
        for voter in sorted(self.tracker.conf.voters):
            if voter != self.id:
                msg = Message(vote_type, to=voter, term=term, index=last_index, log_term=last_term)
                self.send(_replace(msg, {"context": ctx}))

    def poll(self, node: NodeId, granted: bool) -> VoteResult:
        """Record a vote; act on the outcome (next phase, leader, or back to follower)."""
        self.tracker.record_vote(node, granted)
        _, _, result = self.tracker.tally()
        if result is VoteResult.WON:
            if self.role is Role.PRE_CANDIDATE:
                self.campaign(pre=False, transfer=False)
            else:
                self.become_leader()
                leader.bcast_append(self)
        elif result is VoteResult.LOST:
            self.become_follower(self.term, NONE)
        return result

    # -- log and configuration -------------------------------------------------------------

    def append_as_leader(self, entries: list[Entry]) -> None:
        """Append new entries of our term at the end of the log (Leader Append-Only)."""
        last = self.log.last_index()
        ents = [Entry(self.term, last + 1 + i, e.type, e.data) for i, e in enumerate(entries)]
        self.log.append(ents)
        self._track_entries(ents)
        # Our own copy counts towards commit only once persisted: see `on_persisted`.
        self.maybe_commit()

    def persisted_index(self) -> int:
        """Last index known durable here (everything before the unstable entries)."""
        return min(self.log.last_index(), self.log.unstable.offset - 1)

    def on_persisted(self) -> None:
        """The application persisted a Ready: a leader's own copy now counts (§5.3: an
        entry is committed once stored on a majority, and stored means durable)."""
        own = self.tracker.progress.get(self.id)
        if self.role is not Role.LEADER or own is None:
            return
        if own.maybe_update(self.persisted_index()) and self.maybe_commit():
            leader.bcast_append(self)

    def on_entries_written(self, entries: list[Entry]) -> None:
        """Followers: entries replaced or extended our log (§5.3)."""
        self._track_entries(entries)

    def _track_entries(self, entries: list[Entry]) -> None:
        """Keep `confs` in line with the log: drop configurations of truncated entries and
        adopt those of new conf-change entries (§4.1: in effect once in the log)."""
        if not entries:
            return
        first = entries[0].index
        changed = False
        while len(self.confs) > 1 and self.confs[-1][0] >= first:
            self.confs.pop()
            changed = True
        for entry in entries:
            if entry.type is EntryType.CONF_CHANGE:
                self._adopt_conf_change(entry)
                changed = True
        if changed:
            self.apply_current_conf()

    def _adopt_conf_change(self, entry: Entry) -> None:
        """Push the configuration `entry` leads to; the tracker is updated by the caller."""
        try:
            cc = ConfChange.decode(entry.data)
        except MessageDecodeError as exc:
            raise InvariantViolation(f"bad conf change at {entry.index}") from exc
        self.confs.append((entry.index, apply_conf_change(self.confs[-1][1], cc)))

    def apply_current_conf(self) -> None:
        self.tracker.apply_conf(self.confs[-1][1], self.log.last_index() + 1)
        own = self.tracker.progress.get(self.id)
        if self.role is Role.LEADER and own is not None:
            own.maybe_update(self.persisted_index())
        if self.lead_transferee != NONE and not self.tracker.is_voter(self.lead_transferee):
            self.lead_transferee = NONE

    def reset_confs(self, index: int, conf: ConfState) -> None:
        """After installing a snapshot the log restarts with its configuration (§7)."""
        self.confs = [(index, conf)]
        self.apply_current_conf()

    def latest_conf_index(self) -> int:
        return self.confs[-1][0]

    def maybe_commit(self) -> bool:
        """Leader: advance commit to the quorum's match index if it is of our term."""
        if not self.log.maybe_commit(self.tracker.committed(), self.term):
            return False
        self.after_commit()
        return True

    def after_commit(self) -> None:
        while len(self.confs) > 1 and self.confs[1][0] <= self.log.committed:
            self.confs.pop(0)
        if self.role is Role.LEADER:
            leader.on_commit(self)


def _replace(m: Message, fields: dict[str, object]) -> Message:
    return replace(m, **fields)  # type: ignore[arg-type]
