"""The configuration as the leader tracks it: voters, learners, their Progress, votes.

Quorum is a strict majority of the voters (§5.2); learners are tracked for replication but
never counted for commit, elections or check-quorum.
"""

from __future__ import annotations

from enum import Enum

from consensus.progress import Progress
from consensus.types import ConfState, NodeId


class VoteResult(Enum):
    PENDING = "pending"
    WON = "won"
    LOST = "lost"


class ProgressTracker:
    def __init__(self, max_inflight: int) -> None:
        self.max_inflight = max_inflight
        self.conf = ConfState()
        self.progress: dict[NodeId, Progress] = {}
        self.votes: dict[NodeId, bool] = {}

    def quorum(self) -> int:
        return len(self.conf.voters) // 2 + 1

    def is_voter(self, node: NodeId) -> bool:
        return node in self.conf.voters

    def is_member(self, node: NodeId) -> bool:
        return node in self.progress

    def apply_conf(self, conf: ConfState, next_index: int) -> None:
        """Switch to `conf`: new members start probing at `next_index`, removed ones go."""
        self.conf = conf
        for node in list(self.progress):
            if node not in conf.members():
                del self.progress[node]
        for node in conf.members():
            pr = self.progress.get(node)
            if pr is None:
                pr = Progress(next_index, self.max_inflight, node in conf.learners)
                self.progress[node] = pr
            pr.is_learner = node in conf.learners

    def committed(self) -> int:
        """Highest index replicated on a majority of voters (Figure 2, leader rule 4).
        With no voters (the leader removed itself as the last one) nothing commits."""
        matches = sorted((self.progress[v].match for v in self.conf.voters), reverse=True)
        if not matches:
            return 0
        return matches[self.quorum() - 1]

    def reset_votes(self) -> None:
        self.votes = {}

    def record_vote(self, node: NodeId, granted: bool) -> None:
        # The first answer of a voter counts; a duplicate cannot flip it.
        self.votes.setdefault(node, granted)

    def vote_result(self, votes: dict[NodeId, bool]) -> VoteResult:
        """Won with a majority of voters granting, lost once that became impossible."""
        granted = sum(1 for v in self.conf.voters if votes.get(v) is True)
        rejected = sum(1 for v in self.conf.voters if votes.get(v) is False)
        if granted >= self.quorum():
            return VoteResult.WON
        if rejected > len(self.conf.voters) - self.quorum():
            return VoteResult.LOST
        return VoteResult.PENDING

    def tally(self) -> tuple[int, int, VoteResult]:
        granted = sum(1 for v in self.conf.voters if self.votes.get(v) is True)
        rejected = sum(1 for v in self.conf.voters if self.votes.get(v) is False)
        return granted, rejected, self.vote_result(self.votes)

    def quorum_active(self, self_id: NodeId) -> bool:
        """Check-quorum: did a majority of voters (counting ourselves) talk to us lately?"""
        active = {v for v in self.conf.voters if v == self_id or self.progress[v].recent_active}
        return len(active) >= self.quorum()
