"""FSPIOP-Signature: the JWS (RS256) that Mojaloop's signature specification puts on API requests.

The signature covers the HTTP body as sent and a protected header naming the request: ``alg``,
``FSPIOP-URI`` (the resource path, e.g. ``/quotes/{ID}``), ``FSPIOP-HTTP-Method``, ``FSPIOP-Source``, and,
when the request carries them, ``FSPIOP-Destination`` and ``Date``. The ``FSPIOP-Signature`` header is the
JSON object ``{"signature": ..., "protectedHeader": ...}`` (the two base64url parts of the compact JWS).
Verification checks the signature with the source's public key, then that every signed value matches the
request actually received, so a signed body cannot be replayed to another resource, method or peer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from joserfc.registry import HeaderParameter

from inzira.interop.mojaloop.ilp import b64url_encode

ALGORITHM = "RS256"  # the only algorithm the FSPIOP signature specification allows
INVALID_SIGNATURE = "3105"  # Mojaloop's "Invalid signature"
SIGNATURE_HEADER_CHARS_MAX = 4096
BODY_BYTES_MAX = 1_048_576
_SIGNED_FIELDS = ("FSPIOP-URI", "FSPIOP-HTTP-Method", "FSPIOP-Source", "FSPIOP-Destination", "Date")
# The resource part of a URL: what Mojaloop puts in FSPIOP-URI whatever base path the server is mounted at.
_RESOURCE_RE = re.compile(
    r"(/(?:participants|parties|quotes|bulkQuotes|transfers|bulkTransfers|transactionRequests|authorizations"
    r"|transactions)(?:/[^?#]*)?)(?:[?#].*)?$"
)


class JwsError(ValueError):
    """A signature that cannot be made or does not verify; ``code`` is Mojaloop's error code."""

    def __init__(self, message: str, code: str = INVALID_SIGNATURE) -> None:
        super().__init__(message)
        self.code = code


def _registry() -> jws.JWSRegistry:
    registry = jws.JWSRegistry(
        header_registry={name: HeaderParameter(f"FSPIOP {name}", "str") for name in _SIGNED_FIELDS},
        algorithms=[ALGORITHM],
    )
    registry.max_payload_length = BODY_BYTES_MAX
    return registry


REGISTRY = _registry()


def generate_key() -> RSAKey:
    return RSAKey.generate_key(2048)


def load_private_key(pem: str | bytes) -> RSAKey:
    key = RSAKey.import_key(pem)
    if not key.is_private:
        raise JwsError("the signing key is a public key", "3100")
    return key


def load_public_key(pem: str | bytes) -> RSAKey:
    return RSAKey.import_key(pem)


def fspiop_uri(url_or_path: str) -> str:
    """``http://hub/fspiop/quotes/1?x`` -> ``/quotes/1``: the value of FSPIOP-URI for a request."""
    match = _RESOURCE_RE.search(url_or_path)
    if match is None:
        raise JwsError(f"{url_or_path[:200]!r} names no FSPIOP resource", "3100")
    return match.group(1)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


@dataclass(frozen=True)
class Signed:
    """The three headers a signed request adds: FSPIOP-URI, FSPIOP-HTTP-Method and FSPIOP-Signature."""

    uri: str
    method: str
    signature: str

    def headers(self) -> dict[str, str]:
        return {"FSPIOP-URI": self.uri, "FSPIOP-HTTP-Method": self.method, "FSPIOP-Signature": self.signature}


def sign(key: RSAKey, method: str, url: str, headers: Mapping[str, str], body: bytes) -> Signed:
    """Sign a request about to be sent: ``headers`` are its FSPIOP headers (Source, Destination, Date)."""
    if not body:
        raise JwsError("Mojaloop signs only requests with a body", "3100")
    lowered = _lower(headers)
    source = lowered.get("fspiop-source")
    if not source:
        raise JwsError("a signed request needs FSPIOP-Source", "3102")
    uri = fspiop_uri(url)
    protected: dict[str, str] = {
        "alg": ALGORITHM, "FSPIOP-URI": uri, "FSPIOP-HTTP-Method": method.upper(), "FSPIOP-Source": source,
    }
    if lowered.get("fspiop-destination"):
        protected["FSPIOP-Destination"] = lowered["fspiop-destination"]
    if lowered.get("date"):
        protected["Date"] = lowered["date"]
    token = jws.serialize_compact(protected, body, key, registry=REGISTRY)
    header_part, _payload_part, signature_part = token.split(".")
    value = json.dumps({"signature": signature_part, "protectedHeader": header_part}, separators=(",", ":"))
    return Signed(uri, method.upper(), value)


def verify(key: RSAKey, method: str, url: str, headers: Mapping[str, str], body: bytes) -> None:
    """Check a received request's FSPIOP-Signature against ``key`` (the FSPIOP-Source's public key)."""
    lowered = _lower(headers)
    raw = lowered.get("fspiop-signature")
    if not raw:
        raise JwsError("FSPIOP-Signature is missing")
    if len(raw) > SIGNATURE_HEADER_CHARS_MAX:
        raise JwsError("FSPIOP-Signature is too long")
    if not body:
        raise JwsError("a signed request must have a body")
    if len(body) > BODY_BYTES_MAX:
        raise JwsError("the body is too large to verify")
    parts = _signature_parts(raw)
    protected = _verified_header(key, parts, body)
    _check_protected(protected, method, url, lowered)


def _signature_parts(raw: str) -> tuple[str, str]:
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested deep (4 KB of brackets fit)
        raise JwsError("FSPIOP-Signature is not a JSON object") from exc
    if not isinstance(value, dict):
        raise JwsError("FSPIOP-Signature is not a JSON object")
    signature, protected = value.get("signature"), value.get("protectedHeader")
    if not isinstance(signature, str) or not isinstance(protected, str) or not signature or not protected:
        raise JwsError("FSPIOP-Signature needs the strings signature and protectedHeader")
    return protected, signature


def _verified_header(key: RSAKey, parts: tuple[str, str], body: bytes) -> dict[str, object]:
    protected, signature = parts
    candidates = [body]
    # Mojaloop's own validator verifies over the JSON re-serialized compactly; accept a peer that signed that.
    try:
        compact = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):  # ValueError: not JSON, not UTF-8, or a number over 4,300 digits
        compact = body
    if compact != body:
        candidates.append(compact)
    for payload in candidates:
        token = f"{protected}.{b64url_encode(payload)}.{signature}"
        try:
            header = jws.deserialize_compact(token, key, registry=REGISTRY).headers()
        except (JoseError, ValueError, TypeError, KeyError):
            continue
        return dict(header)
    raise JwsError("FSPIOP-Signature does not verify with the source's key")


def _check_protected(protected: Mapping[str, object], method: str, url: str, headers: Mapping[str, str]) -> None:
    if protected.get("alg") != ALGORITHM:
        raise JwsError(f"the protected header's alg must be {ALGORITHM}")
    expected = {
        "FSPIOP-URI": fspiop_uri(url),
        "FSPIOP-HTTP-Method": method.upper(),
        "FSPIOP-Source": headers.get("fspiop-source"),
    }
    for name, actual in expected.items():
        if protected.get(name) != actual:
            raise JwsError(f"the signed {name} does not match the request")
    for name, header in (("FSPIOP-URI", "fspiop-uri"), ("FSPIOP-HTTP-Method", "fspiop-http-method")):
        if headers.get(header) != protected.get(name):
            raise JwsError(f"the {name} header does not match the signed one")
    for name, header in (("FSPIOP-Destination", "fspiop-destination"), ("Date", "date")):
        # Whichever of the request and the protected header carries it, both must, with the same value.
        if (headers.get(header) or protected.get(name)) and headers.get(header) != protected.get(name):
            raise JwsError(f"the signed {name} does not match the request")
