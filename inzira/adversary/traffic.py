"""The mixer: plans blocks of honest and hostile transactions, and learns from their verdicts.

Each planned transaction is a ``Shot``: its bytes, the shape that made it, and what its verdict may not be
(a hostile shape may never commit; an honest one always authenticates and is never a duplicate unless a
valid copy of it went first). The traffic remembers what was committed (to replay it, post or void it) only
through the verdicts it is told, as a member watching the chain would; memory is bounded.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from typing import Callable, Sequence

from inzira.adversary import copies, honest, hostile, members, wild
from inzira.adversary.cast import FX, Cast, Signed
from inzira.adversary.model import Model
from inzira.crypto import KeyPair
from inzira.fx.desk import FxDesk
from inzira.fx.rate_source import RateSource
from inzira.ledger.codes import Code
from inzira.ledger.tx import Op, Quote, SignedQuote, sign_quote

AUTH_FAILURES = frozenset({Code.MALFORMED, Code.TOO_LARGE, Code.WRONG_NETWORK, Code.EXPIRED, Code.BAD_SIGNATURE})
HONEST_FORBIDDEN = AUTH_FAILURES | {Code.DUPLICATE, Code.MODIFIED_REQUEST}
HOSTILE_FORBIDDEN = frozenset({Code.OK})
RECENT_MAX = 4_096  # committed honest transactions remembered for replays
OLD_MAX = 256  # and a sample of older ones, whose deadlines have passed
TX_VALIDITY_MS = 60_000


@dataclass(slots=True)
class Shot:
    raw: bytes
    shape: str
    tx_id: bytes = b""
    deadline_ms: int = 0
    forbidden: frozenset[int] = frozenset()  # verdicts this transaction must never get
    allowed: frozenset[int] | None = None  # when set, the only verdicts it may get
    honest: bool = False
    on_ok: Callable[[], None] | None = None  # what the traffic learns when it commits

    def unexpected(self, code: int) -> bool:
        return code in self.forbidden or (self.allowed is not None and code not in self.allowed)


@dataclass(slots=True)
class Plan:
    timestamp_ms: int
    log_ms: int  # the ordering log's own time for the block: at most the skew behind it
    shots: list[Shot]


# name -> (shape, weight): about two thirds honest, one third hostile.
SHAPES: dict[str, tuple[Callable[["Traffic"], list[Shot]], int]] = {
    "transfer": (honest.transfer, 260),
    "pending": (honest.pending, 110),
    "post": (honest.post, 70),
    "void": (honest.void, 25),
    "issue": (honest.issue, 20),
    "redeem": (honest.redeem, 15),
    "fx": (honest.fx, 60),
    "party": (honest.party, 15),
    "cap": (honest.cap, 5),
    "freeze": (honest.freeze, 2),
    "membership": (members.honest_change, 2),
    "reordered_sigs": (copies.reordered_sigs, 12),
    "duplicated_sig": (copies.duplicated_sig, 8),
    "missing_sig": (copies.missing_sig, 12),
    "foreign_sig": (copies.foreign_sig, 8),
    "resigned_by_other": (copies.resigned_by_other, 10),
    "forged_sig": (copies.forged_sig, 8),
    "replay": (hostile.replay, 30),
    "modified_ref": (hostile.modified_ref, 8),
    "bad_envelope": (hostile.bad_envelope, 8),
    "stranger_quote": (hostile.stranger_quote, 6),
    "zero_sigs_quote": (hostile.zero_sigs_quote, 5),
    "quote_abuse": (hostile.quote_abuse, 8),
    "quoted_hold": (hostile.quoted_hold, 4),
    "hashlock_abuse": (hostile.hashlock_abuse, 14),
    "no_authority": (hostile.no_authority, 14),
    "party_squat": (hostile.party_squat, 5),
    "near_limit": (hostile.near_limit, 14),
    "oversize": (hostile.oversize, 5),
    "membership_attack": (members.attack, 12),
    "garbage": (wild.garbage, 10),
    "truncated": (wild.truncated, 10),
    "wild": (wild.wild_values, 28),
}


@dataclass(frozen=True)
class _FxKey:
    """The FX provider's quote signer for the generator, which plays every member and so holds every key."""

    member: str
    chain_id: bytes
    key: KeyPair

    def sign_quote(self, quote: Quote) -> SignedQuote:
        return sign_quote(quote, self.key)


class Traffic:
    def __init__(self, seed: int, cast: Cast, model: Model, shapes: Sequence[str] | None = None) -> None:
        self.rng = random.Random(seed)
        self.cast = cast
        self.model = model
        self.policy = cast.genesis.policy_record()
        self.now_ms = cast.genesis.created_at_ms
        names = list(shapes) if shapes is not None else list(SHAPES)
        self._shapes = [SHAPES[n][0] for n in names]
        self._weights = [SHAPES[n][1] for n in names]
        self._ref = 0
        self.recent: deque[Shot] = deque(maxlen=RECENT_MAX)
        self.old: list[Shot] = []
        self.preimages: dict[bytes, bytes] = {}  # pending id -> preimage, for the hashlocks made here
        self.parties: dict[bytes, str] = {}
        self.frozen: set[str] = set()
        self.guests: dict[str, int] = {}  # guest member -> generation of its keys
        self.guest_accounts: set[str] = set()  # guests whose account is open (every removed guest had one)
        self.retired: list[tuple[str, tuple[KeyPair, ...]]] = []  # removed guests and their last keys
        self.replay_burst = 0
        self.desk = FxDesk(_FxKey(FX, cast.chain_id, cast.keys[FX][0]), RateSource.demo(self.now_ms))
        self.touched: set[bytes] = set()  # directory entries a shot of the block being planned relies on
        self.membership_in_block = ""  # "honest" or "attack": the two never share a block (quorum sizes)
        self.open_ids: list[bytes] = []  # the model's open pending transfers when the block was planned
        # How much later than planned a block may be made (0: at the planned time, as the state-machine soak
        # does; a real network's cutter makes it when the transactions arrive). Shapes that must land past a
        # time limit go this much further past it, so the delay cannot bring them back within it.
        self.clock_slack_ms = 0

    # --- helpers for the shapes ---

    def ref(self) -> str:
        self._ref += 1
        return f"s{self._ref}"

    def deadline(self) -> int:
        return self.now_ms + TX_VALIDITY_MS

    def signed(self, submitter: str, op: Op, cosigners: tuple[str, ...] = ()) -> Signed:
        return self.cast.tx(submitter, self.ref(), self.deadline(), op, cosigners)

    def honest(self, shape: str, submitter: str, op: Op, cosigners: tuple[str, ...] = (),
               on_ok: Callable[[], None] | None = None) -> Shot:
        return self.honest_shot(shape, self.signed(submitter, op, cosigners), on_ok)

    def honest_shot(self, shape: str, signed: Signed, on_ok: Callable[[], None] | None = None) -> Shot:
        return Shot(signed.raw, shape, signed.tx_id, self.deadline(), HONEST_FORBIDDEN, honest=True, on_ok=on_ok)

    def hostile(self, shape: str, raw: bytes, tx_id: bytes = b"") -> Shot:
        return Shot(raw, shape, tx_id, forbidden=HOSTILE_FORBIDDEN)

    def anything(self, shape: str, raw: bytes, tx_id: bytes = b"") -> Shot:
        """A shot whose verdict may be anything (even a commit): only the invariants and the model judge it."""
        return Shot(raw, shape, tx_id)

    def pick_open(self, take: bool = False) -> bytes | None:
        """An open pending transfer (as the model knows it); ``take`` keeps other honest shapes off it."""
        ids = self.open_ids
        while ids:
            i = self.rng.randrange(len(ids))
            pending_id = ids[i]
            if pending_id in self.model.open and not take:
                return pending_id
            ids[i] = ids[-1]
            ids.pop()
            if pending_id in self.model.open:
                return pending_id
        return None

    def live_members(self) -> list[str]:
        return list(self.model.members.members)

    def quorum_size(self) -> int:
        n = len(self.model.members.members)
        return 2 * n // 3 + 1

    # --- planning ---

    def setup(self) -> list[Plan]:
        plans = []
        for ops in self.cast.setup():
            self.now_ms += 1_000
            shots = [self.honest("setup", submitter, op) for submitter, op in ops]
            plans.append(Plan(self.now_ms, self.now_ms, shots))
        return plans

    def _advance_ms(self) -> int:
        roll = self.rng.random()
        if roll < 0.002:  # a quiet week: everything resolved is pruned, every reference forgotten
            return self.policy.resolved_kept_ms + self.rng.randint(1_000, 3_600_000)
        if roll < 0.03:  # a pause: pending transfers and quotes expire
            return self.rng.randint(30_000, 600_000)
        return self.rng.randint(50, 2_000)

    def block_size(self) -> int:
        return self.rng.randint(1, 20) if self.rng.random() < 0.1 else self.rng.randint(200, 800)

    def begin_block(self, advance_ms: int) -> None:
        """Move the clock to the next block's time and forget what the last block's planning relied on."""
        self.now_ms += advance_ms
        self.open_ids = list(self.model.open)
        self.touched.clear()
        self.membership_in_block = ""

    def shots_of(self, names: Sequence[str]) -> list[Shot]:
        """The shots of the named shapes, in order (for tests that choose the shapes themselves)."""
        shots: list[Shot] = []
        for name in names:
            shots += SHAPES[name][0](self)
        return shots

    def plan(self, size: int, advance_ms: int | None = None) -> Plan:
        """The next block: about ``size`` shots of shapes drawn by weight, after the replays a snapshot asked.
        The clock moves by ``advance_ms`` (a real clock's), or by a drawn step when None."""
        self.begin_block(self._advance_ms() if advance_ms is None else advance_ms)
        shots: list[Shot] = []
        while self.replay_burst and len(shots) < size:
            self.replay_burst -= 1
            shots += hostile.replay(self, shape="replay_after_snapshot")
        for _ in range(4 * size):  # bounded: a shape may find nothing to do
            if len(shots) >= size:
                break
            shape = self.rng.choices(self._shapes, self._weights)[0]
            shots += shape(self)
        return Plan(self.now_ms, self.now_ms - self.rng.randint(0, self.policy.block_time_skew_ms), shots[:size])

    def snapshot_taken(self, replays: int = 20) -> None:
        """The state was rebuilt from its rows: replay what was committed before, in the next block."""
        self.replay_burst = replays

    def observe(self, shots: Sequence[Shot], codes: Sequence[int] | None) -> None:
        """The verdicts of a planned block (None: the block was dropped)."""
        if codes is None:
            return
        for shot, code in zip(shots, codes):
            if code != Code.OK:
                continue
            if shot.honest:
                if len(self.recent) == RECENT_MAX:
                    self._keep_old(self.recent[0])
                self.recent.append(shot)
            if shot.on_ok is not None:
                shot.on_ok()
        if len(self.preimages) > 4 * len(self.model.open) + 1_000:
            self.preimages = {k: v for k, v in self.preimages.items() if k in self.model.open}

    def _keep_old(self, shot: Shot) -> None:
        if len(self.old) < OLD_MAX:
            self.old.append(shot)
        else:
            self.old[self.rng.randrange(OLD_MAX)] = shot
