"""Typed identifiers and the rules for their spelling."""

from __future__ import annotations

import re
from typing import NewType

MemberId = NewType("MemberId", str)  # "bnr", "mtn-rw"
AccountId = NewType("AccountId", str)  # "<owner>:<name>", e.g. "mtn-rw:float-rwf"
TxId = NewType("TxId", bytes)  # 32 bytes: hash of the signed body
PendingId = NewType("PendingId", bytes)  # the id of the transaction that created the pending transfer
BlockHash = NewType("BlockHash", bytes)
PartyHash = NewType("PartyHash", bytes)  # keyed hash of an E.164 number

MEMBER_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,31}")
ACCOUNT_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,47}")
REF_CHARS_MAX = 64
MEMO_CHARS_MAX = 128
SETTLEMENT_REFERENCE_CHARS_MAX = 64
NAME_CHARS_MAX = 80
HASH_BYTES = 32


def is_settlement_reference(text: str) -> bool:
    """A settlement reference on chain: at most 64 printable ASCII characters (empty when there is none)."""
    return len(text) <= SETTLEMENT_REFERENCE_CHARS_MAX and text.isascii() and text.isprintable()


def is_member_id(text: str) -> bool:
    return MEMBER_ID_RE.fullmatch(text) is not None


def account_owner(account: str) -> str:
    """The member that owns an account is the part of its id before the colon."""
    return account.partition(":")[0]


def is_account_id(text: str) -> bool:
    owner, sep, name = text.partition(":")
    return bool(sep) and is_member_id(owner) and ACCOUNT_NAME_RE.fullmatch(name) is not None


def issuance_account(issuer: str, currency: str) -> AccountId:
    """The one account of a currency allowed to go negative: what its issuer has put into circulation."""
    return AccountId(f"{issuer}:issuance-{currency.lower()}")
