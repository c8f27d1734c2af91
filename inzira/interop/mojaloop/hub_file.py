"""The hub's settlement file, as ``inzira mojaloop reconcile --hub-file`` reads it.

A JSON list, one object per transfer of the hub's settlement window:
``{"transferId": "<UUID>", "amount": "1500", "currency": "RWF", "state": "COMMITTED"}`` — the amount as FSPIOP
writes it (a decimal string, at most 18 digits and the currency's decimals), the state one of Mojaloop's
transfer states. The file is the hub's word, not ours: anything else in it (another type, a number where a
string belongs, an unknown currency, a repeated id, a file too large) makes the whole file unreadable, with the
entry and field named, and nothing is matched against it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from inzira.interop.mojaloop.amounts import minor_from_fspiop
from inzira.money import MoneyError

FILE_BYTES_MAX = 16 * 1024 * 1024
ENTRIES_MAX = 100_000
STATES = ("RECEIVED", "RESERVED", "COMMITTED", "ABORTED")
FIELDS = ("transferId", "amount", "currency", "state")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class HubFileError(ValueError):
    """The file cannot be read or is not a settlement file in this format."""


def read(path: Path) -> dict[str, tuple[int, str, str]]:
    """Transfer id -> (amount in minor units, currency, state)."""
    try:
        with path.open("rb") as file:
            raw = file.read(FILE_BYTES_MAX + 1)
    except OSError as exc:
        raise HubFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > FILE_BYTES_MAX:
        raise HubFileError(f"{path} is larger than {FILE_BYTES_MAX} bytes")
    return parse(raw)


def parse(raw: bytes) -> dict[str, tuple[int, str, str]]:
    try:
        entries = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise HubFileError(f"not JSON: {str(exc)[:120]}") from None
    if not isinstance(entries, list):
        raise HubFileError("the file must be a JSON list of transfers")
    if len(entries) > ENTRIES_MAX:
        raise HubFileError(f"more than {ENTRIES_MAX} transfers")
    found: dict[str, tuple[int, str, str]] = {}
    for index, entry in enumerate(entries):
        transfer_id, value = _entry(index, entry)
        if transfer_id.lower() in found:
            raise HubFileError(f"entry {index}: transfer {transfer_id} is listed twice")
        found[transfer_id.lower()] = value
    return found


def _entry(index: int, entry: object) -> tuple[str, tuple[int, str, str]]:
    where = f"entry {index}"
    if not isinstance(entry, dict) or set(entry) != set(FIELDS):
        raise HubFileError(f"{where}: must be an object with exactly {', '.join(FIELDS)}")
    for name in FIELDS:
        if not isinstance(entry[name], str):
            raise HubFileError(f"{where}: {name} must be a string, not {type(entry[name]).__name__}")
    transfer_id, amount, currency, state = (entry[name] for name in FIELDS)
    if not _UUID_RE.fullmatch(transfer_id):
        raise HubFileError(f"{where}: transferId {transfer_id[:40]!r} is not a UUID")
    if not _CURRENCY_RE.fullmatch(currency):
        raise HubFileError(f"{where}: currency {currency[:10]!r} is not an ISO 4217 code")
    if state not in STATES:
        raise HubFileError(f"{where}: state {state[:20]!r} is not one of {', '.join(STATES)}")
    try:
        minor = minor_from_fspiop(amount, currency)
    except MoneyError as exc:
        raise HubFileError(f"{where}: amount {amount[:40]!r} in {currency}: {exc}") from None
    return transfer_id, (minor, currency, state)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
