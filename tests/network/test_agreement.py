"""When a peer calls itself diverged: only when a quorum of OTHER peers agree on something it does not hold."""

from __future__ import annotations

from inzira.peer.agreement import Agreement
from inzira.peer.checkpoints import CHECKPOINT_VERSION, Checkpoint

CHAIN = b"c" * 32
MINE = {h: (bytes([h]) * 32, bytes([h + 100]) * 32) for h in range(1, 20)}  # height -> (block hash, state hash)


def cp(member: str, height: int, block_hash: bytes | None = None, state_hash: bytes | None = None,
       digest: bytes = b"") -> Checkpoint:
    mine_block, mine_state = MINE.get(height, (b"\0" * 32, b"\0" * 32))
    return Checkpoint(CHECKPOINT_VERSION, CHAIN, member, height, block_hash or mine_block, state_hash or mine_state,
                      height, height, digest)


def agreement(height: int = 10, quorum: int = 2) -> Agreement:
    a = Agreement("me", quorum, lambda h: MINE.get(h) if h <= a.height else None)
    a.on_own_block(height)
    return a


def test_others_holding_the_same_chain_agree() -> None:
    a = agreement()
    for member in ("p1", "p2", "p3"):
        a.on_checkpoint(cp(member, 9))
    assert a.diverged is None
    assert a.others_agreeing() == ["p1", "p2", "p3"]


def test_one_dissenting_peer_is_reported_not_followed() -> None:
    a = agreement()
    a.on_checkpoint(cp("p1", 10, state_hash=b"x" * 32))
    a.on_checkpoint(cp("p2", 10))
    assert a.diverged is None
    assert a.verdicts["p1"].startswith("disagrees at 10")


def test_a_quorum_agreeing_on_another_state_makes_this_peer_diverged() -> None:
    a = agreement()
    other = b"x" * 32
    a.on_checkpoint(cp("p1", 10, state_hash=other))
    assert a.diverged is None
    a.on_checkpoint(cp("p2", 10, state_hash=other))
    assert a.diverged and "p1, p2" in a.diverged


def test_two_dissenters_that_disagree_with_each_other_are_no_quorum() -> None:
    a = agreement()
    a.on_checkpoint(cp("p1", 10, state_hash=b"x" * 32))
    a.on_checkpoint(cp("p2", 10, state_hash=b"y" * 32))
    assert a.diverged is None


def test_a_quorum_accepting_a_block_this_peer_refused() -> None:
    a = agreement(height=10)
    refused = b"r" * 32
    a.on_checkpoint(cp("p1", 11, block_hash=refused))  # ahead: waits until there is something to compare
    a.on_checkpoint(cp("p2", 11, block_hash=refused))
    assert a.diverged is None and a.verdicts["p1"].startswith("ahead")
    a.on_rejected(11, refused)
    assert a.diverged and "refused" in a.diverged


def test_checkpoints_ahead_are_compared_once_this_peer_gets_there() -> None:
    a = agreement(height=5)
    a.on_checkpoint(cp("p1", 7))
    a.on_checkpoint(cp("p2", 7, state_hash=b"z" * 32))
    a.on_own_block(7)
    assert a.verdicts["p1"] == "agrees at 7" and a.verdicts["p2"].startswith("disagrees at 7")
    assert a.diverged is None


def test_state_digests_at_snapshot_heights() -> None:
    a = agreement()
    a.on_own_digest(10, b"d" * 32)
    a.on_checkpoint(cp("p1", 10, digest=b"e" * 32))
    a.on_checkpoint(cp("p2", 10, digest=b"e" * 32))
    assert a.diverged and "digest" in a.diverged


def test_own_checkpoints_are_ignored() -> None:
    a = agreement(quorum=1)
    a.on_checkpoint(cp("me", 10, state_hash=b"x" * 32))
    assert a.diverged is None and not a.verdicts
