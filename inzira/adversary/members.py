"""Membership, honest and hostile.

Honest: a quorum admits a guest member (three keys, two needed for its own changes), the guest opens an
account, rotates its keys and, with a quorum, changes its roles, and a quorum of the others removes it.
Hostile: a quorum that rotates someone else's keys, gives or takes issuer roles, removes an issuer, counts the
vote of the member it removes, falls one vote short (or pads itself with a repeated signature), votes with a
removed member's key or readmits a removed member's id (whose accounts remain) with keys of its own; a guest
that changes its keys under its threshold or claims another member's key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inzira.adversary import honest
from inzira.adversary.cast import Signed, key_of
from inzira.crypto import KeyPair
from inzira.demo.members import DEMO_MEMBERS
from inzira.ledger.encoding import encode
from inzira.ledger.tx import (
    AddMember,
    MemberSpec,
    Op,
    OpenAccount,
    RemoveMember,
    RotateKeys,
    SetParty,
    SetRoles,
    SignedTx,
)

if TYPE_CHECKING:
    from inzira.adversary.traffic import Shot, Traffic

GUESTS_MAX = 2
GUEST_KEYS = 3
GUEST_THRESHOLD = 2
GUEST_ROLES = (("receiving_fsp",), ("receiving_fsp", "acquirer"), ("auditor",), ("sending_fsp", "wallet_issuer"))
DEMO_IDS = tuple(m.id for m in DEMO_MEMBERS)
ISSUERS = tuple(m.id for m in DEMO_MEMBERS if {"issuer", "central_bank"} & set(m.roles))
NOT_ISSUERS = tuple(m for m in DEMO_IDS if m not in ISSUERS)


def guest_keys(name: str, generation: int) -> tuple[KeyPair, ...]:
    return tuple(key_of(f"{name}/{generation}/{i}") for i in range(GUEST_KEYS))


def _voters(t: "Traffic", count: int, exclude: tuple[str, ...] = ()) -> list[str]:
    pool = [m for m in DEMO_IDS if m not in exclude]
    return t.rng.sample(pool, min(count, len(pool)))


def _sign(t: "Traffic", submitter: str, op: Op, voters: list[str], own: tuple[KeyPair, ...] = ()) -> Signed:
    """Signed with ``own`` keys first (when the submitter signs with several), then each voter's key."""
    keys = list(own) or [t.cast.keys[submitter][0]]
    keys += [t.cast.keys[v][0] for v in voters if v != submitter]
    return t.cast.sign(t.cast.body(submitter, t.ref(), t.deadline(), op), *keys)


def honest_change(t: "Traffic") -> list["Shot"]:
    if t.membership_in_block:
        return honest.transfer(t)
    t.membership_in_block = "honest"
    q = t.quorum_size()
    guests = sorted(t.guests)
    roll = t.rng.random()
    if len(guests) < GUESTS_MAX and (not guests or roll < 0.4):
        name = f"guest-{t.ref()}"
        keys = guest_keys(name, 0)
        spec = MemberSpec(name, "Guest bank (soak)", t.rng.choice(GUEST_ROLES), tuple(k.public_key for k in keys),
                          GUEST_THRESHOLD)
        voters = _voters(t, q)

        def admitted() -> None:
            t.cast.keys[name] = keys
            t.guests[name] = 0

        return [t.honest_shot("membership", _sign(t, voters[0], AddMember(spec), voters), admitted)]
    guest = t.rng.choice(guests)
    own = t.cast.keys[guest][:GUEST_THRESHOLD]
    if guest not in t.guest_accounts:  # an account of its own: what a removal leaves behind, frozen
        account = f"{guest}:rwf"
        signed = _sign(t, guest, OpenAccount(account, "RWF"), [], own[:1])
        return [t.honest_shot("membership", signed, lambda: t.guest_accounts.add(guest))]
    if roll < 0.6:
        generation = t.guests[guest] + 1
        keys = guest_keys(guest, generation)

        def rotated() -> None:
            t.cast.keys[guest] = keys
            t.guests[guest] = generation

        op = RotateKeys(guest, tuple(k.public_key for k in keys), GUEST_THRESHOLD)
        return [t.honest_shot("membership", _sign(t, guest, op, [], own), rotated)]
    if roll < 0.8:
        op = SetRoles(guest, t.rng.choice(GUEST_ROLES))
        return [t.honest_shot("membership", _sign(t, guest, op, _voters(t, q - 1), own))]
    voters = _voters(t, q)

    def removed() -> None:
        t.retired.append((guest, t.cast.keys.pop(guest)))
        del t.guests[guest]
        t.guest_accounts.discard(guest)

    return [t.honest_shot("membership", _sign(t, voters[0], RemoveMember(guest), voters), removed)]


def attack(t: "Traffic") -> list["Shot"]:
    if t.membership_in_block == "honest":
        return []
    t.membership_in_block = "attack"
    q = t.quorum_size()
    known = t.model.members.members
    stranger = t.cast.stranger.public_key
    choice = t.rng.randrange(10)
    if choice == 0:  # a quorum rotates a member's keys without it
        victim = t.rng.choice(DEMO_IDS)
        voters = _voters(t, q, (victim,))
        signed = _sign(t, voters[0], RotateKeys(victim, (stranger,), 1), voters)
    elif choice == 1:  # a member takes an issuer role, with its own signature and a quorum
        member = t.rng.choice(NOT_ISSUERS)
        voters = [member] + _voters(t, q - 1, (member,))
        signed = _sign(t, member, SetRoles(member, known[member].roles + ("issuer",)), voters)
    elif choice == 2:  # an issuer's roles are taken away, even with its own signature
        issuer = t.rng.choice(ISSUERS)
        voters = [issuer] + _voters(t, q - 1, (issuer,))
        signed = _sign(t, issuer, SetRoles(issuer, t.rng.choice((("regulator",), ("settlement_bank",)))), voters)
    elif choice == 3:  # a new member with issuer powers
        spec = MemberSpec(f"mint-{t.ref()}", "Mint", (t.rng.choice(("issuer", "central_bank")),), (stranger,))
        voters = _voters(t, q)
        signed = _sign(t, voters[0], AddMember(spec), voters)
    elif choice == 4:  # an issuer removed by everyone else
        issuer = t.rng.choice(ISSUERS)
        voters = _voters(t, q, (issuer,))
        signed = _sign(t, voters[0], RemoveMember(issuer), voters)
    elif choice == 5:  # a quorum only with the vote of the member it removes
        victim = t.rng.choice(NOT_ISSUERS)
        voters = [victim] + _voters(t, q - 1, (victim,))
        signed = _sign(t, voters[1], RemoveMember(victim), voters)
    elif choice in (6, 7):  # one vote short, padded (7) with a repeated signature
        spec = MemberSpec(f"intruder-{t.ref()}", "Intruder", ("receiving_fsp",), (key_of(t.ref()).public_key,))
        voters = _voters(t, q - 1)
        signed = _sign(t, voters[0], AddMember(spec), voters)
        if choice == 7:
            return [t.hostile("membership_attack", encode(SignedTx(signed.body, signed.sigs + signed.sigs[:1])),
                              signed.tx_id)]
    elif choice == 8 and t.retired:  # a removed member's id, readmitted with other keys: its accounts remain
        name, _ = t.rng.choice(t.retired)
        voters = _voters(t, q)
        impostor = MemberSpec(name, "Impostor", ("receiving_fsp",), (key_of(t.ref()).public_key,))
        signed = _sign(t, voters[0], AddMember(impostor), voters)
    else:
        signed = _guest_attack(t, q)
    return [t.hostile("membership_attack", signed.raw, signed.tx_id)]


def _guest_attack(t: "Traffic", q: int) -> Signed:
    if t.retired and t.rng.random() < 0.5:
        name, keys = t.rng.choice(t.retired)
        if t.rng.random() < 0.5:  # a removed member still acting in its own name
            body = t.cast.body(name, t.ref(), t.deadline(), SetParty(t.rng.randbytes(32), True, name))
            return t.cast.sign(body, keys[0])
        voters = _voters(t, q - 1)
        spec = MemberSpec(f"intruder-{t.ref()}", "Intruder", ("receiving_fsp",), (key_of(t.ref()).public_key,))
        body = t.cast.body(voters[0], t.ref(), t.deadline(), AddMember(spec))
        return t.cast.sign(body, *(t.cast.keys[v][0] for v in voters), keys[0])  # a removed member's vote
    if not t.guests:
        victim = t.rng.choice(DEMO_IDS)
        return _sign(t, victim, RotateKeys(victim, (t.cast.stranger.public_key,), 1), [], (t.cast.stranger,))
    guest = t.rng.choice(sorted(t.guests))
    keys = t.cast.keys[guest]
    if t.rng.random() < 0.5:  # under its own threshold
        return _sign(t, guest, RotateKeys(guest, (key_of(t.ref()).public_key,), 1), [], keys[:1])
    victim = t.rng.choice(DEMO_IDS)  # another member's key claimed as its own
    claimed = (t.cast.keys[victim][0].public_key,)
    return _sign(t, guest, RotateKeys(guest, claimed, 1), [], keys[:GUEST_THRESHOLD])
