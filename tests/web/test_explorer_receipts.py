"""Receipts through the explorer: download, verify (JSON endpoint and the /verify form), tampering."""

from __future__ import annotations

import base64
import copy
import json

import httpx


def receipt_of(client: httpx.Client, tx_id: str) -> dict:
    r = client.get(f"/tx/{tx_id}/receipt.json")
    assert r.status_code == 200
    return r.json()


def verify(client: httpx.Client, content: bytes) -> httpx.Response:
    return client.post("/explorer/verify-receipt", content=content, headers={"Content-Type": "application/json"})


def test_receipt_download_is_the_nodes_receipt(demo, client):
    r = client.get(f"/tx/{demo.transfer_id}/receipt.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.json() == demo.net.node.receipt(bytes.fromhex(demo.transfer_id))


def test_a_real_receipt_verifies(demo, client):
    receipt = receipt_of(client, demo.transfer_id)
    r = verify(client, json.dumps(receipt).encode())
    assert r.status_code == 200
    outcome = r.json()
    assert outcome["valid"] is True
    assert outcome["summary"]["tx_id"] == demo.transfer_id and outcome["summary"]["signers"] == ["eurosend"]
    assert "committed" in outcome["text"] and "UTC" in outcome["text"] and "CAT" in outcome["text"]


def test_a_receipt_of_a_rejection_verifies_and_says_so(demo, client):
    outcome = verify(client, json.dumps(receipt_of(client, demo.rejected_id)).encode()).json()
    assert outcome["valid"] is True and outcome["summary"]["code"] == 4001
    assert "rejected with code 4001" in outcome["text"]


def test_a_flipped_result_code_is_caught(demo, client):
    receipt = receipt_of(client, demo.transfer_id)
    tampered = copy.deepcopy(receipt)
    tampered["result"]["code"] = 1  # "0" -> "1"
    outcome = verify(client, json.dumps(tampered).encode()).json()
    assert outcome["valid"] is False and "Merkle" in outcome["reason"]


def test_a_flipped_transaction_byte_is_caught(demo, client):
    receipt = receipt_of(client, demo.transfer_id)
    raw = bytearray(base64.b64decode(receipt["tx"]))
    raw[len(raw) // 2] ^= 0x01
    tampered = copy.deepcopy(receipt)
    tampered["tx"] = base64.b64encode(bytes(raw)).decode()
    outcome = verify(client, json.dumps(tampered).encode()).json()
    assert outcome["valid"] is False and outcome["reason"]


def test_a_flipped_header_signature_is_caught(demo, client):
    receipt = receipt_of(client, demo.transfer_id)
    sig = receipt["block"]["signature"]
    receipt["block"]["signature"] = ("1" if sig[0] == "0" else "0") + sig[1:]
    outcome = verify(client, json.dumps(receipt).encode()).json()
    assert outcome == {"valid": False, "reason": "block header: orderer signature does not verify"}


def test_garbage_is_answered_with_a_reason(client):
    """Not a receipt at all: a 400 problem, as /v1/receipts/verify gives; a receipt that does not verify: a verdict."""
    for body, reason in [(b"not json", "not JSON"), (b"[1, 2]", "JSON object")]:
        r = verify(client, body)
        assert r.status_code == 400 and r.json()["code"] == 3100 and reason in r.json()["detail"], body
    for body, reason in [(b"{}", "missing field format"),
                         (b'{"format": "inzira-receipt/1", "block": {"header": 5}}', "must be a string")]:
        r = verify(client, body)
        assert r.status_code == 200 and r.json()["valid"] is False and reason in r.json()["reason"], body


def test_an_oversized_body_is_refused(client):
    r = verify(client, b" " * (300 * 1024))
    assert r.status_code == 413 and r.json()["code"] == 3104 and "larger than" in r.json()["detail"]


def test_an_oversized_form_is_refused(client):
    r = client.post("/verify", files={"file": ("big.json", b" " * (300 * 1024), "application/json")})
    assert r.status_code == 413 and "larger than" in r.text


def test_verify_page_checks_a_pasted_or_uploaded_receipt(demo, client):
    page = client.get("/verify")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    text = json.dumps(receipt_of(client, demo.transfer_id))
    pasted = client.post("/verify", data={"receipt": text})
    assert pasted.status_code == 200 and "verdict-valid" in pasted.text
    uploaded = client.post("/verify", data={"receipt": ""},
                         files={"file": ("receipt.json", text.encode(), "application/json")})
    assert uploaded.status_code == 200 and "verdict-valid" in uploaded.text
    tampered = receipt_of(client, demo.transfer_id)
    tampered["result"]["code"] = 7
    bad = client.post("/verify", data={"receipt": json.dumps(tampered)})
    assert bad.status_code == 200 and "verdict-invalid" in bad.text and "Merkle" in bad.text
    empty = client.post("/verify", data={"receipt": " "})
    assert empty.status_code == 400 and "paste a receipt" in empty.text


def test_a_receipt_with_numbers_past_64_bits_is_refused(demo, client):
    """result.code = 2**70 once escaped the verifier as an error nobody named (a 500); it is a 400 now."""
    receipt = receipt_of(client, demo.transfer_id)
    for section, name in (("result", "code"), ("result", "at"), ("proof", "leaf_index")):
        crafted = copy.deepcopy(receipt)
        crafted[section][name] = 2**70
        r = verify(client, json.dumps(crafted).encode())
        assert r.status_code == 400 and r.json()["code"] == 3100 and f"{section}.{name}" in r.json()["detail"]
        page = client.post("/verify", data={"receipt": json.dumps(crafted)})
        assert page.status_code == 400 and "verdict-invalid" in page.text and f"{section}.{name}" in page.text


def test_a_receipt_nested_past_the_decoders_depth_is_refused(client):
    """10 KB of brackets made msgspec raise RecursionError: a 500 on the endpoint and on the page."""
    deep = b'{"format": "inzira-receipt/1", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"
    r = verify(client, deep)
    assert r.status_code == 400 and r.json()["detail"] == "the receipt is not JSON: JSON nested too deep"
    pasted = client.post("/verify", data={"receipt": deep.decode()})
    assert pasted.status_code == 400 and "verdict-invalid" in pasted.text and "nested too deep" in pasted.text
    uploaded = client.post("/verify", data={"receipt": ""}, files={"file": ("receipt.json", deep, "application/json")})
    assert uploaded.status_code == 400 and "verdict-invalid" in uploaded.text and "nested too deep" in uploaded.text


def test_a_receipt_with_a_string_not_utf8_is_refused(client):
    """msgspec raised UnicodeDecodeError, not DecodeError, on a key that is not UTF-8: out of the endpoint anyone
    may call without a token, and out of the page's uploaded file."""
    garbled = b'{"format": "inzira-receipt/1", "\xff": 1}'
    r = verify(client, garbled)
    assert r.status_code == 400 and r.json()["detail"] == "the receipt is not JSON: JSON: a string is not UTF-8"
    uploaded = client.post("/verify", data={"receipt": ""}, files={"file": ("receipt.json", garbled, "application/json")})
    assert uploaded.status_code == 400 and "verdict-invalid" in uploaded.text and "not UTF-8" in uploaded.text


def test_a_receipt_whose_transaction_bytes_nest_past_the_decoders_depth_is_not_valid(demo, client):
    """A real receipt whose transaction is a SignedTx with a third item nested 5,000 arrays deep: the
    transaction decoder raised RecursionError (a 500), it is now a transaction that does not decode."""
    receipt = receipt_of(client, demo.transfer_id)
    receipt["tx"] = base64.b64encode(b"\x93\xc4\x00\x90" + b"\x91" * 5_000 + b"\x90").decode()
    r = verify(client, json.dumps(receipt).encode())
    assert r.status_code == 200 and r.json() == {"valid": False, "reason": "transaction does not decode"}
