"""Crafted numbers in a path, a query, a header or a receipt: each is a 400 problem with code 3100, never a 500.

Python's ``str.isdigit()`` is true for "²" (which ``int()`` refuses), ``int()`` reads Arabic-Indic and
full-width digits, and a number past 64 bits cannot reach SQLite or msgspec: every one of these once escaped
as a 500.
"""

from __future__ import annotations

import base64
import copy
import importlib

import pytest
from pydantic import TypeAdapter, ValidationError

from inzira.api.numbers import digits
from inzira.crypto.keygen import generate_keypair
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from inzira.peer.peer_auth import TIME_HEADER, check_request, sign_request
from tests.api.helpers import post_tx, problem

PAST_64_BITS = "34972068125625303040"  # > 2**64
NOT_ASCII_DIGITS = ("²", "١٢", "１２")  # superscript two, Arabic-Indic 12, full-width 12
LAX_SPELLINGS = ("+5", " 5", "1_0", "5.0")  # int() and pydantic read these; the API does not


def cursor_of(offset: str, last_id: str = "eurosend:eur") -> str:
    return base64.urlsafe_b64encode(f"{offset}:{last_id}".encode()).decode()


@pytest.mark.parametrize("path", [
    f"/v1/blocks/{PAST_64_BITS}",
    f"/v1/blocks?before={PAST_64_BITS}",
    f"/v1/blocks/1?txs_from={PAST_64_BITS}",
    f"/v1/accounts?cursor={cursor_of(PAST_64_BITS)}",
    *[f"/v1/accounts?cursor={cursor_of(digits)}" for digits in NOT_ASCII_DIGITS],
    *[f"/v1/blocks/{digits}" for digits in NOT_ASCII_DIGITS],
    *[f"/v1/blocks?limit={spelling}" for spelling in LAX_SPELLINGS],
    "/v1/accounts/not-an-account",
])
def test_crafted_numbers_in_paths_and_queries_are_400(ledger, path):
    with ledger.http("eurosend") as http:
        problem(http.get(path), 400, Code.VALIDATION)


@pytest.mark.parametrize("last_event_id", [PAST_64_BITS.encode(), "²".encode("latin-1"), b"+5"])
def test_crafted_last_event_id_is_400(ledger, last_event_id):
    """Headers arrive as Latin-1: "²" (0xB2) is the one digit-like character that can reach the handler."""
    with ledger.http("eurosend") as http:
        answer = http.get("/v1/events", headers={"Last-Event-ID": last_event_id})
        problem(answer, 400, Code.VALIDATION)


@pytest.mark.parametrize(("section", "name", "value"), [
    ("result", "code", 2**70),
    ("result", "at", -(2**70)),
    ("block", "height", 2**64),
    ("block", "timestamp_ms", 2**70),
    ("proof", "leaf_index", 2**70),
])
def test_receipt_numbers_past_64_bits_are_400(ledger, section, name, value):
    payer = ledger.account("eurosend", "EUR", funded_minor=10)
    payee = ledger.account("mobimo", "EUR")
    with ledger.http("eurosend") as http, ledger.http() as anonymous:
        committed = post_tx(http, ledger.sign("eurosend", Transfer((Leg(payer, payee, 5, "EUR"),)))).json()
        receipt = http.get(committed["receipt_url"]).json()
        crafted = copy.deepcopy(receipt)
        crafted[section][name] = value
        body = problem(anonymous.post("/v1/receipts/verify", json=crafted), 400, Code.VALIDATION)
        assert f"{section}.{name}" in body["detail"]
        assert anonymous.post("/v1/receipts/verify", json=receipt).json()["valid"] is True


@pytest.mark.parametrize("time_text", ["²", PAST_64_BITS, "+1000000", " 1000000", "1_000_000"])
def test_a_crafted_signing_time_between_peers_is_refused(time_text):
    """A peer's signed request carries its signing time as text: "²" passed ``isdigit()`` and broke ``int()``."""
    key, chain = generate_keypair(), b"c" * 32
    headers = {**sign_request(chain, "mobimo", key, "GET", "/v1/peer/snapshots", 1_000_000), TIME_HEADER: time_text}
    member, why = check_request(headers, chain, {"mobimo": (key.public_key,)}, "GET", "/v1/peer/snapshots", 1_000_000)
    assert member is None and TIME_HEADER in why


@pytest.mark.parametrize("field", [
    "inzira.qr.api.requests:Amount", "inzira.qr.api.requests:LifeMs", "inzira.remit.api.models:Amount",
    "inzira.remit.api.models:AmountOrZero", "inzira.remit.api.models:ReserveMs", "inzira.fx.service:_Amount",
    "inzira.fx.service:_TtlMs", "inzira.fx.service:_TimeMs", "inzira.funding.api:_Amount", "inzira.funding.api:_Cap",
])
def test_a_body_number_is_a_json_integer_not_a_string(field):
    """Every body's number field: "5" was read as 5, so one amount had two spellings (a path or query's number
    is ASCII digits, as ``digits`` reads it; a body's is a JSON integer)."""
    module, _, name = field.partition(":")
    adapter = TypeAdapter(getattr(importlib.import_module(module), name))
    assert adapter.validate_json("5") == 5
    for text in ('"5"', "5.0", "true", '"0x5"'):
        with pytest.raises(ValidationError):
            adapter.validate_json(text)


def test_a_query_number_is_still_ascii_digits():
    adapter = TypeAdapter(digits(1, 10))
    assert adapter.validate_python("5") == 5
    with pytest.raises(ValidationError):
        adapter.validate_python("٥")
