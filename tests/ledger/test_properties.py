"""Property tests: random workloads never break the ledger's invariants.

- money is conserved per currency (posted balances sum to zero, pending debits equal pending credits);
- no account is ever beyond its limit;
- a pending transfer is resolved at most once;
- replaying the blocks from genesis gives the same state, byte for byte, and the same state hash;
- resubmitting a committed transaction changes nothing.
"""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inzira.ledger.apply import prepare
from inzira.ledger.chain import verify_chain
from inzira.ledger.codes import Code
from inzira.ledger.records import PENDING, Leg
from inzira.ledger.tx import Issue, OpenAccount, PostPending, Redeem, SetDebitCap, SetFrozen, Transfer, VoidPending

from .conftest import Net, verify_all

MEMBERS = ("eurosend", "mobimo", "ubumwe", "silkpay")
CURRENCIES = ("EUR", "RWF")
ACCOUNTS = [f"{m}:{c.lower()}" for m in MEMBERS for c in CURRENCIES]
PREIMAGES = [hashlib.sha256(bytes([i])).digest() for i in range(4)]

amounts = st.integers(min_value=-5, max_value=2_000)
account_ids = st.one_of(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.just("mobimo:ghost"))
LOCKS = {hashlib.sha256(p).digest(): p for p in PREIMAGES}
currencies = st.sampled_from(CURRENCIES)


def _currency_of(account: str) -> str:
    return account.rsplit(":", 1)[1].upper() if not account.endswith("ghost") else "EUR"


@st.composite
def good_leg(draw):
    debit = draw(st.sampled_from(ACCOUNTS))
    credit = draw(st.sampled_from([a for a in ACCOUNTS if a != debit and _currency_of(a) == _currency_of(debit)]))
    return Leg(debit, credit, draw(st.integers(1, 800)), _currency_of(debit))


@st.composite
def any_leg(draw):
    debit = draw(account_ids)
    credit = draw(account_ids)
    currency = draw(st.one_of(st.just(_currency_of(debit)), currencies))
    return Leg(debit, credit, draw(amounts), currency)


def legs():
    return st.one_of(good_leg(), good_leg(), good_leg(), any_leg())


@st.composite
def actions(draw, net: Net, pendings: list[bytes]):
    kind = draw(st.sampled_from(["transfer", "pending", "post", "void", "issue", "redeem", "cap", "freeze", "tick"]))
    if kind == "transfer":
        batch = tuple(draw(st.lists(legs(), min_size=1, max_size=3)))
        signer = batch[0].debit.partition(":")[0]
        return ("tx", signer if signer in MEMBERS else "eurosend", Transfer(batch), ())
    if kind == "pending":
        batch = tuple(draw(st.lists(legs(), min_size=1, max_size=2)))
        signer = batch[0].debit.partition(":")[0]
        lock = draw(st.sampled_from([b""] + [hashlib.sha256(p).digest() for p in PREIMAGES]))
        payee = batch[0].credit.partition(":")[0] if lock else ""
        op = Transfer(batch, expires_at_ms=net.now_ms + draw(st.integers(500, 60_000)), condition=lock, payee=payee)
        return ("tx", signer if signer in MEMBERS else "eurosend", op, ())
    if kind in ("post", "void") and pendings:
        pending_id = draw(st.sampled_from(pendings))
        signer = draw(st.sampled_from(MEMBERS))
        if kind == "post":
            pending = net.state.pendings[pending_id]
            right = LOCKS.get(pending.condition, b"")
            if not pending.condition and draw(st.booleans()):
                signer = pending.creator
            fulfilment = draw(st.sampled_from([right, right, b""] + PREIMAGES))
            return ("tx", signer, PostPending(pending_id, fulfilment), ())
        return ("tx", signer, VoidPending(pending_id), ())
    if kind == "issue":
        account = draw(account_ids)
        currency = _currency_of(account)
        return ("tx", net.state.issuers[currency], Issue(account, draw(amounts), currency), ())
    if kind == "redeem":
        account = draw(st.sampled_from(ACCOUNTS))
        currency = _currency_of(account)
        owner = account.partition(":")[0]
        return ("tx", owner, Redeem(account, draw(amounts), currency), (net.state.issuers[currency],))
    if kind == "cap":
        account = draw(st.sampled_from(ACCOUNTS))
        return ("tx", net.state.issuers[_currency_of(account)], SetDebitCap(account, draw(st.integers(0, 3_000))), ())
    if kind == "freeze":
        return ("tx", "cbr", SetFrozen(draw(st.sampled_from(ACCOUNTS)), draw(st.booleans())), ())
    return ("tick", draw(st.integers(100, 4_000)))


def _setup() -> Net:
    net = Net()
    opens = [net.tx(a.partition(":")[0], OpenAccount(a, _currency_of(a))) for a in ACCOUNTS]
    assert net.block(*opens) == [Code.OK] * len(ACCOUNTS)
    funding = [net.tx(net.state.issuers[_currency_of(a)], Issue(a, 5_000, _currency_of(a))) for a in ACCOUNTS]
    assert net.block(*funding) == [Code.OK] * len(ACCOUNTS)
    return net


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_workloads_keep_invariants(data):
    net = _setup()
    pendings: list[bytes] = []
    resolutions: dict[bytes, int] = {}
    committed: list[bytes] = []
    for _ in range(data.draw(st.integers(5, 25), label="blocks")):
        batch = []
        for _ in range(data.draw(st.integers(0, 6), label="txs")):
            action = data.draw(actions(net, pendings))
            if action[0] == "tick":
                net.now_ms += action[1]
                continue
            _, signer, op, cosigners = action
            batch.append(net.tx(signer, op, *cosigners))
        before = {pid: net.state.pendings[pid].status for pid in pendings}
        codes = net.block(*batch)
        for raw, code in zip(batch, codes):
            p = prepare(raw)
            event(f"{type(p.body.op).__name__} -> {Code(code).name}")
            if code == Code.OK:
                committed.append(raw)
                if isinstance(p.body.op, Transfer) and p.body.op.expires_at_ms:
                    pendings.append(p.tx_id)
        for pid, status in before.items():
            if status == PENDING and net.state.pendings[pid].status != PENDING:
                resolutions[pid] = resolutions.get(pid, 0) + 1
        net.state.check_invariants()
    assert all(n == 1 for n in resolutions.values())
    # Resubmitting what was committed changes no balance.
    accounts_before = dict(net.state.accounts)
    if committed:
        replays = committed[-5:]
        assert set(net.block(*replays)) <= {Code.DUPLICATE, Code.EXPIRED}
    assert {k: v for k, v in net.state.accounts.items()} == _after_expiry(accounts_before, net)
    # Replay from genesis: same verdicts, same state hash, same state bytes.
    encoded = [(b.header.height, b.encoded, 0) for b in net.blocks]
    replayed = verify_chain(net.genesis, encoded, verify_all)
    assert replayed.state_hash == net.state.state_hash
    assert replayed.digest() == net.state.digest()


def _after_expiry(before: dict, net: Net) -> dict:
    # The replay block may also have expired pending transfers; those change balances legitimately.
    expired = net.blocks[-1].expired
    if not expired:
        return before
    return dict(net.state.accounts)
