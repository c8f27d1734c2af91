"""Mojaloop's ILP packet, condition and fulfilment against vectors Mojaloop itself published or produced.

- The condition/fulfilment pairs are the examples of Mojaloop's FSPIOP API definition (v1.1, as shipped in
  @mojaloop/api-snippets): fulfilment ``WLct…`` opens condition ``f5sq…``, ``UNlJ…`` opens ``GRzL…``.
- The ILP v1 packet is the ``IlpPacket`` example of the same definition.
- The ILP v4 packet was produced by Mojaloop's own implementation (@mojaloop/sdk-standard-components 19.16.4,
  ``Ilp.ilpFactory(v4).getResponseIlp``) for TRANSACTION below with secret "secret"; a test also runs that
  implementation live (it is installed in tools/mojaloop) and compares packets byte for byte.
"""

from __future__ import annotations

import base64
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inzira.interop.mojaloop import ilp

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "mojaloop"

SPEC_PAIRS = [
    ("WLctttbu2HvTsa1XWvUoGRcQozHsqeu9Ahl2JW9Bsu8", "f5sqb7tBTWPd5Y8BDFdMm9BJR_MNI4isf8p8n4D5pHA"),
    ("UNlJ98hZTY_dsw0cAqw4i_UN3v4utt7CZFB4yfLbVFA", "GRzLaTP7DJ9t4P-a_BA0WA9wzzlsugf00-Tn6kESAfM"),
]

SPEC_V1_PACKET = (
    "AYIBgQAAAAAAAASwNGxldmVsb25lLmRmc3AxLm1lci45T2RTOF81MDdqUUZERmZlakgyOVc4bXFmNEpLMHlGTFGCAUBQU0svMS4wCk5vbmNl"
    "OiB1SXlweUYzY3pYSXBFdzVVc05TYWh3CkVuY3J5cHRpb246IG5vbmUKUGF5bWVudC1JZDogMTMyMzZhM2ItOGZhOC00MTYzLTg0NDctNGMz"
    "ZWQzZGE5OGE3CgpDb250ZW50LUxlbmd0aDogMTM1CkNvbnRlbnQtVHlwZTogYXBwbGljYXRpb24vanNvbgpTZW5kZXItSWRlbnRpZmllcjog"
    "OTI4MDYzOTEKCiJ7XCJmZWVcIjowLFwidHJhbnNmZXJDb2RlXCI6XCJpbnZvaWNlXCIsXCJkZWJpdE5hbWVcIjpcImFsaWNlIGNvb3BlclwiL"
    "FwiY3JlZGl0TmFtZVwiOlwibWVyIGNoYW50XCIsXCJkZWJpdElkZW50aWZpZXJcIjpcIjkyODA2MzkxXCJ9IgA"
)

TRANSACTION = {
    "quoteId": "382987a8-75ce-4037-b500-c475e08c1727",
    "transactionId": "d9ce59d4-3598-4396-8630-581bb0551451",
    "transactionType": {"scenario": "TRANSFER", "initiator": "PAYER", "initiatorType": "CONSUMER"},
    "payee": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "250788123456", "fspId": "inzira"}},
    "payer": {
        "partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "44123456789", "fspId": "testingtoolkitdfsp"},
        "personalInfo": {"complexName": {"firstName": "Émile", "lastName": "Niyonzima"}},
    },
    "expiration": "2026-12-06T12:00:00.123Z",
    "amount": {"currency": "RWF", "amount": "1500"},
}
MOJALOOP_V4_CONDITION = "gikpjwlWabhbSSWhzVplq3kVroECdG7FMLQpNtXjsrk"
MOJALOOP_V4_PACKET = (
    "DIIDNwAAAAAAAAXcMjAyNjEyMDYxMjAwMDAxMjOCKSmPCVZpuFtJJaHNWmWreRWugQJ0bsUwtCk21eOyuQpnLm1vamFsb29wggLwZXlKeGRX"
    "OTBaVWxrSWpvaU16Z3lPVGczWVRndE56VmpaUzAwTURNM0xXSTFNREF0WXpRM05XVXdPR014TnpJM0lpd2lkSEpoYm5OaFkzUnBiMjVKWkNJ"
    "NkltUTVZMlUxT1dRMExUTTFPVGd0TkRNNU5pMDROak13TFRVNE1XSmlNRFUxTVRRMU1TSXNJblJ5WVc1ellXTjBhVzl1Vkhsd1pTSTZleUp6"
    "WTJWdVlYSnBieUk2SWxSU1FVNVRSa1ZTSWl3aWFXNXBkR2xoZEc5eUlqb2lVRUZaUlZJaUxDSnBibWwwYVdGMGIzSlVlWEJsSWpvaVEwOU9V"
    "MVZOUlZJaWZTd2ljR0Y1WldVaU9uc2ljR0Z5ZEhsSlpFbHVabThpT25zaWNHRnlkSGxKWkZSNWNHVWlPaUpOVTBsVFJFNGlMQ0p3WVhKMGVV"
    "bGtaVzUwYVdacFpYSWlPaUl5TlRBM09EZ3hNak0wTlRZaUxDSm1jM0JKWkNJNkltbHVlbWx5WVNKOWZTd2ljR0Y1WlhJaU9uc2ljR0Z5ZEhs"
    "SlpFbHVabThpT25zaWNHRnlkSGxKWkZSNWNHVWlPaUpOVTBsVFJFNGlMQ0p3WVhKMGVVbGtaVzUwYVdacFpYSWlPaUkwTkRFeU16UTFOamM0"
    "T1NJc0ltWnpjRWxrSWpvaWRHVnpkR2x1WjNSdmIyeHJhWFJrWm5Od0luMHNJbkJsY25OdmJtRnNTVzVtYnlJNmV5SmpiMjF3YkdWNFRtRnRa"
    "U0k2ZXlKbWFYSnpkRTVoYldVaU9pTERpVzFwYkdVaUxDSnNZWE4wVG1GdFpTSTZJazVwZVc5dWVtbHRZU0o5Zlgwc0ltVjRjR2x5WVhScGIy"
    "NGlPaUl5TURJMkxURXlMVEEyVkRFeU9qQXdPakF3TGpFeU0xb2lMQ0poYlc5MWJuUWlPbnNpWTNWeWNtVnVZM2tpT2lKU1YwWWlMQ0poYlc5"
    "MWJuUWlPaUl4TlRBd0luMTk"
)
EXPIRES_AT = datetime(2026, 12, 6, 12, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(("fulfilment", "condition"), SPEC_PAIRS)
def test_the_specifications_fulfilments_open_their_conditions(fulfilment: str, condition: str) -> None:
    raw = ilp.decode_condition(fulfilment, "fulfilment")
    assert ilp.encode_condition(ilp.condition_of(raw)) == condition
    assert ilp.fulfils(fulfilment, condition)


def test_a_fulfilment_does_not_open_another_condition() -> None:
    assert not ilp.fulfils(SPEC_PAIRS[0][0], SPEC_PAIRS[1][1])
    assert not ilp.fulfils(SPEC_PAIRS[0][1], SPEC_PAIRS[0][1])  # the condition is no fulfilment of itself


@pytest.mark.parametrize("bad", ["", "short", "f5sqb7tBTWPd5Y8BDFdMm9BJR_MNI4isf8p8n4D5pH", "f5sqb7tBTWPd5Y8BDFdMm9BJR_MNI4isf8p8n4D5p+A",
                                 "f5sqb7tBTWPd5Y8BDFdMm9BJR_MNI4isf8p8n4D5pHA=", "é" * 43])
def test_malformed_fulfilments_fail_closed(bad: str) -> None:
    assert not ilp.fulfils(bad, SPEC_PAIRS[0][1])
    with pytest.raises(ilp.IlpError):
        ilp.decode_condition(bad)


def test_the_specifications_v1_packet_decodes() -> None:
    payment = ilp.decode_payment_v1(ilp.b64url_decode(SPEC_V1_PACKET, "ilpPacket"))
    assert payment.amount_minor == 1200
    assert payment.account == "levelone.dfsp1.mer.9OdS8_507jQFDFfejH29W8mqf4JK0yFLQ"
    assert payment.data.startswith(b"PSK/1.0\nNonce: ")


def test_our_v4_packet_is_byte_for_byte_mojaloops() -> None:
    condition = ilp.decode_condition(MOJALOOP_V4_CONDITION)
    assert ilp.transaction_packet(TRANSACTION, 1500, EXPIRES_AT, condition) == MOJALOOP_V4_PACKET


def test_mojaloops_v4_packet_reads_back() -> None:
    view = ilp.read_packet(MOJALOOP_V4_PACKET)
    assert view.version == 4
    assert view.amount_minor == 1500
    assert view.expires_at == EXPIRES_AT
    assert view.condition == ilp.decode_condition(MOJALOOP_V4_CONDITION)
    assert view.transaction == TRANSACTION
    prepare = ilp.decode_prepare(ilp.b64url_decode(MOJALOOP_V4_PACKET, "ilpPacket"))
    assert prepare.destination == ilp.MOJALOOP_ADDRESS
    assert ilp.encode_prepare(prepare) == ilp.b64url_decode(MOJALOOP_V4_PACKET, "ilpPacket")


def test_packets_match_mojaloops_implementation_live() -> None:
    """Mojaloop's sdk-standard-components (installed with the Testing Toolkit) encodes the same packets."""
    script = (
        "const { Ilp } = require('@mojaloop/sdk-standard-components');"
        "const log = { child: () => log, debug () {}, warn () {}, info () {}, error () {}, push: () => log };"
        "const v4 = Ilp.ilpFactory(Ilp.ILP_VERSIONS.v4, { secret: 's', logger: log });"
        "const out = JSON.parse(process.argv[1]).map(([tx, c]) => v4.calculateIlpPacket(tx, c));"
        "console.log(JSON.stringify(out));"
    )
    cases = []
    for index, (amount, name) in enumerate([("0", "A"), ("127", "Ö ü"), ("128", "x" * 300), ("99999", "line\nbreak")]):
        tx = dict(TRANSACTION, amount={"currency": "RWF", "amount": amount}, note=name,
                  expiration=f"2027-01-0{index + 1}T0{index}:59:59.{index}00Z")
        cases.append((tx, ilp.encode_condition(bytes([index]) * 32)))
    done = subprocess.run(["node", "-e", script, json.dumps(cases)], cwd=TOOLS, capture_output=True, text=True,
                          timeout=60, check=True)
    theirs = json.loads(done.stdout)
    for (tx, condition), packet in zip(cases, theirs, strict=True):
        expires = datetime.fromisoformat(str(tx["expiration"]).replace("Z", "+00:00"))
        amount = int(tx["amount"]["amount"])  # type: ignore[index]
        assert ilp.transaction_packet(tx, amount, expires, ilp.decode_condition(condition)) == packet


def test_a_v1_packet_from_mojaloops_tools_reads_back() -> None:
    data = base64.urlsafe_b64encode(json.dumps(TRANSACTION).encode()).rstrip(b"=")
    account = b"g.testingtoolkitdfsp.msisdn.250788123456"
    content = (1500).to_bytes(8, "big") + bytes([len(account)]) + account + b"\x82" + len(data).to_bytes(2, "big")
    raw = b"\x01\x82" + (len(content) + len(data) + 1).to_bytes(2, "big") + content + data + b"\x00"
    view = ilp.read_packet(ilp.b64url_encode(raw))
    assert (view.version, view.amount_minor, view.expires_at, view.transaction) == (1, 1500, None, TRANSACTION)


@pytest.mark.parametrize("mangle", [
    lambda raw: raw[:-1],                       # cut short
    lambda raw: raw + b"\x00",                  # trailing byte after the envelope
    lambda raw: b"\x0d" + raw[1:],              # a Fulfill type byte
    lambda raw: raw[:1] + b"\x85" + raw[2:],    # a five-byte length
    lambda raw: raw[:1] + b"\x81\x05" + raw[3:],  # non-canonical length
    lambda raw: raw[:12] + b"X" + raw[13:],     # a letter in the timestamp
    lambda raw: raw[:4] + b"\xff" * 8 + raw[12:],  # the largest amount: still a valid packet
])
def test_corrupt_v4_packets_are_refused_or_read_exactly(mangle) -> None:  # type: ignore[no-untyped-def]
    raw = ilp.b64url_decode(MOJALOOP_V4_PACKET, "ilpPacket")
    mangled = mangle(raw)
    try:
        view = ilp.read_packet(ilp.b64url_encode(mangled))
    except ilp.IlpError:
        return
    # Only a change that keeps the structure valid may decode, and then it decodes to what was written.
    assert ilp.encode_prepare(ilp.decode_prepare(mangled)) == mangled
    assert view.amount_minor == int.from_bytes(mangled[4:12], "big")


@pytest.mark.parametrize("text", ["", "!!!", "AAAA", "DA", "DAA", "A" * (ilp.PACKET_CHARS_MAX + 1)])
def test_garbage_is_an_ilp_error(text: str) -> None:
    with pytest.raises(ilp.IlpError):
        ilp.read_packet(text)


def test_encoding_refuses_what_ilp_cannot_carry() -> None:
    condition = bytes(32)
    with pytest.raises(ilp.IlpError):
        ilp.transaction_packet(TRANSACTION, -1, EXPIRES_AT, condition)
    with pytest.raises(ilp.IlpError):
        ilp.transaction_packet(TRANSACTION, 2**64, EXPIRES_AT, condition)
    with pytest.raises(ilp.IlpError):
        ilp.transaction_packet(TRANSACTION, 1, EXPIRES_AT.replace(tzinfo=None), condition)
    with pytest.raises(ilp.IlpError):
        ilp.transaction_packet(TRANSACTION, 1, EXPIRES_AT, bytes(31))
    with pytest.raises(ilp.IlpError):
        ilp.transaction_packet({"note": "x" * ilp.DATA_BYTES_MAX}, 1, EXPIRES_AT, condition)
