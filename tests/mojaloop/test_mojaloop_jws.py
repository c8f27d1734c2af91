"""FSPIOP-Signature: ours verifies with Mojaloop's own validator and theirs with ours; every tampering fails."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
from pathlib import Path

import pytest

from inzira.interop.mojaloop import jws

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "mojaloop"
URL = "http://127.0.0.1:4040/fspiop/quotes"
HEADERS = {
    "FSPIOP-Source": "inzira",
    "FSPIOP-Destination": "payeefsp",
    "Date": "Sat, 05 Dec 2026 12:00:00 GMT",
    "Content-Type": "application/vnd.interoperability.quotes+json;version=1.1",
}
BODY = json.dumps({"quoteId": "q1", "amount": {"currency": "RWF", "amount": "1500"}, "note": "Murakoze"},
                  separators=(",", ":")).encode()


@pytest.fixture(scope="module")
def key() -> jws.RSAKey:
    return jws.generate_key()


def _received(key: jws.RSAKey, body: bytes = BODY) -> dict[str, str]:
    return {**HEADERS, **jws.sign(key, "post", URL, HEADERS, body).headers()}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_signed_request_verifies(key: jws.RSAKey) -> None:
    headers = _received(key)
    assert headers["FSPIOP-URI"] == "/quotes"
    assert headers["FSPIOP-HTTP-Method"] == "POST"
    jws.verify(jws.load_public_key(key.as_pem(private=False)), "POST", URL, headers, BODY)
    protected = json.loads(base64.urlsafe_b64decode(json.loads(headers["FSPIOP-Signature"])["protectedHeader"] + "=="))
    assert protected == {"alg": "RS256", "FSPIOP-URI": "/quotes", "FSPIOP-HTTP-Method": "POST",
                         "FSPIOP-Source": "inzira", "FSPIOP-Destination": "payeefsp", "Date": HEADERS["Date"]}


def test_the_resource_path_is_taken_whatever_the_mount() -> None:
    assert jws.fspiop_uri("http://hub:4040/switch/transfers/abc/error?x=1") == "/transfers/abc/error"
    assert jws.fspiop_uri("/fspiop/parties/MSISDN/250788123456") == "/parties/MSISDN/250788123456"
    with pytest.raises(jws.JwsError):
        jws.fspiop_uri("http://hub/health")


@pytest.mark.parametrize(("what", "change"), [
    ("body", lambda m, u, h, b: (m, u, h, b.replace(b"1500", b"9500"))),
    ("uri", lambda m, u, h, b: (m, u.replace("/quotes", "/transfers"), h, b)),
    ("method", lambda m, u, h, b: ("PUT", u, h, b)),
    ("source", lambda m, u, h, b: (m, u, {**h, "FSPIOP-Source": "mallory"}, b)),
    ("destination", lambda m, u, h, b: (m, u, {**h, "FSPIOP-Destination": "other"}, b)),
    ("destination dropped", lambda m, u, h, b: (m, u, {k: v for k, v in h.items() if k != "FSPIOP-Destination"}, b)),
    ("date", lambda m, u, h, b: (m, u, {**h, "Date": "Sun, 06 Dec 2026 12:00:00 GMT"}, b)),
    ("uri header", lambda m, u, h, b: (m, u, {**h, "FSPIOP-URI": "/transfers"}, b)),
    ("method header", lambda m, u, h, b: (m, u, {**h, "FSPIOP-HTTP-Method": "PUT"}, b)),
    ("no signature", lambda m, u, h, b: (m, u, {k: v for k, v in h.items() if k != "FSPIOP-Signature"}, b)),
    ("signature not json", lambda m, u, h, b: (m, u, {**h, "FSPIOP-Signature": "abc.def.ghi"}, b)),
    ("signature a list", lambda m, u, h, b: (m, u, {**h, "FSPIOP-Signature": "[1]"}, b)),
    ("empty body", lambda m, u, h, b: (m, u, h, b"")),
])
def test_tampering_fails(key: jws.RSAKey, what: str, change) -> None:  # type: ignore[no-untyped-def]
    method, url, headers, body = change("POST", URL, _received(key), BODY)
    with pytest.raises(jws.JwsError) as caught:
        jws.verify(key, method, url, headers, body)
    assert caught.value.code == "3105", what


def test_another_key_fails(key: jws.RSAKey) -> None:
    with pytest.raises(jws.JwsError):
        jws.verify(jws.generate_key(), "POST", URL, _received(key), BODY)


def test_alg_none_and_hmac_with_the_public_key_are_refused(key: jws.RSAKey) -> None:
    """The classic JWS downgrades: an unsigned token, and HS256 keyed with the (public) RSA key's PEM."""
    public_pem = key.as_pem(private=False)
    for alg in ("none", "HS256"):
        protected = {"alg": alg, "FSPIOP-URI": "/quotes", "FSPIOP-HTTP-Method": "POST", "FSPIOP-Source": "inzira",
                     "FSPIOP-Destination": "payeefsp", "Date": HEADERS["Date"]}
        header_part = _b64(json.dumps(protected).encode())
        signing_input = f"{header_part}.{_b64(BODY)}".encode()
        signature = "" if alg == "none" else _b64(hmac.new(public_pem, signing_input, hashlib.sha256).digest())
        headers = {**HEADERS, "FSPIOP-URI": "/quotes", "FSPIOP-HTTP-Method": "POST",
                   "FSPIOP-Signature": json.dumps({"signature": signature or "x", "protectedHeader": header_part})}
        with pytest.raises(jws.JwsError):
            jws.verify(jws.load_public_key(public_pem), "POST", URL, headers, BODY)


def test_signing_needs_a_body_a_source_and_a_private_key(key: jws.RSAKey) -> None:
    with pytest.raises(jws.JwsError):
        jws.sign(key, "GET", URL, HEADERS, b"")
    with pytest.raises(jws.JwsError):
        jws.sign(key, "POST", URL, {"Date": HEADERS["Date"]}, BODY)
    with pytest.raises(jws.JwsError):
        jws.load_private_key(key.as_pem(private=False))


_NODE = """
const { Jws } = require('@mojaloop/sdk-standard-components');
const log = { child: () => log, debug () {}, warn () {}, info () {}, error () {}, push: () => log, isDebugEnabled: false };
const input = JSON.parse(process.argv[1]);
const out = {};
const signer = new Jws.signer({ signingKey: input.privateKey, logger: log });
const request = { method: 'PUT', uri: 'http://127.0.0.1:8000/fspiop/transfers/t1', body: input.body,
  headers: { 'fspiop-source': 'payeefsp', 'fspiop-destination': 'inzira', date: input.date } };
signer.sign(request);
out.theirs = { headers: request.headers, body: request.body };
const validator = new Jws.validator({ validationKeys: { inzira: input.publicKey }, logger: log });
try { validator.validate({ headers: input.ours.headers, body: JSON.parse(input.ours.body) }); out.ok = true }
catch (e) { out.ok = false; out.error = String(e) }
console.log(JSON.stringify(out));
"""


def test_interoperates_with_mojaloops_own_signer_and_validator(key: jws.RSAKey) -> None:
    ours = {name.lower(): value for name, value in _received(key).items()}
    payload = {"privateKey": key.as_pem(private=True).decode(), "publicKey": key.as_pem(private=False).decode(),
               "date": HEADERS["Date"], "body": {"fulfilment": "WLctttbu2HvTsa1XWvUoGRcQozHsqeu9Ahl2JW9Bsu8",
                                                  "transferState": "COMMITTED"},
               "ours": {"headers": ours, "body": BODY.decode()}}
    done = subprocess.run(["node", "-e", _NODE, json.dumps(payload)], cwd=TOOLS, capture_output=True, text=True,
                          timeout=60, check=True)
    result = json.loads(done.stdout)
    assert result["ok"], result.get("error")
    theirs = result["theirs"]
    jws.verify(key, "PUT", "http://127.0.0.1:8000/fspiop/transfers/t1", theirs["headers"],
               theirs["body"].encode())
    with pytest.raises(jws.JwsError):
        jws.verify(key, "PUT", "http://127.0.0.1:8000/fspiop/transfers/t2", theirs["headers"],
                   theirs["body"].encode())
