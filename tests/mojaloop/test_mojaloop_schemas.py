"""FSPIOP bodies against Mojaloop's API definition: the codes, fields and words Mojaloop's switch gives.

Besides fixed cases, every broken body is also run through ajv (the validator Mojaloop's switch uses, installed
with the Testing Toolkit) on the same definition, and the first error must name the same keyword and field.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from inzira.interop.mojaloop import schemas

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "mojaloop"

PARTY = {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "250788123456", "fspId": "inzira"}}
QUOTE = {
    "quoteId": "8e8b0f3b-6a0e-4b0e-9c3a-4f1b2f4d7a11",
    "transactionId": "0a0b0c0d-1111-4222-8333-444455556666",
    "payee": PARTY,
    "payer": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "44123456789", "fspId": "payerfsp"},
              "personalInfo": {"complexName": {"firstName": "Émile", "lastName": "Niyonzima"},
                               "dateOfBirth": "1984-01-01"}},
    "amountType": "SEND",
    "amount": {"amount": "1500", "currency": "RWF"},
    "transactionType": {"scenario": "TRANSFER", "initiator": "PAYER", "initiatorType": "CONSUMER"},
    "note": "Murakoze",
}
TRANSFER = {
    "transferId": "0a0b0c0d-1111-4222-8333-444455556666",
    "payerFsp": "payerfsp",
    "payeeFsp": "inzira",
    "amount": {"amount": "1500", "currency": "RWF"},
    "ilpPacket": "DIIDNwAAAAAAAAXcMjAyNjEyMDYxMjAwMDAxMjOCKSmPCVZpuFtJJaHNWmWreRWugQJ0bsUwtCk21eOyuQpnLm1vamFsb29w",
    "condition": "f5sqb7tBTWPd5Y8BDFdMm9BJR_MNI4isf8p8n4D5pHA",
    "expiration": "2026-12-06T12:00:00.123Z",
}


@pytest.fixture(scope="module")
def spec() -> schemas.Definitions:
    return schemas.definitions()


def _with(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``body`` with the field at ``a/b/c`` set to ``value`` (or removed when value is ...)."""
    out = copy.deepcopy(body)
    *parents, last = path.split("/")
    node = out
    for part in parents:
        node = node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return out


def test_valid_bodies_pass(spec: schemas.Definitions) -> None:
    assert spec.check_body("QuotesPostRequest", QUOTE) is None
    assert spec.check_body("TransfersPostRequest", TRANSFER) is None
    assert spec.check_body("PartiesTypeIDPutResponse", {"party": {**PARTY, "name": "J*** U*****"}}) is None
    assert spec.check_body("TransfersIDPutResponse", {"transferState": "COMMITTED",
                                                      "fulfilment": "WLctttbu2HvTsa1XWvUoGRcQozHsqeu9Ahl2JW9Bsu8",
                                                      "completedTimestamp": "2026-12-05T12:00:00.000Z"}) is None
    assert spec.check_body("ErrorInformationObject", {"errorInformation": {"errorCode": "3204",
                                                                           "errorDescription": "Party not found"}}) is None


def test_extra_fields_are_allowed_as_in_the_definition(spec: schemas.Definitions) -> None:
    assert spec.check_body("QuotesPostRequest", {**QUOTE, "somethingElse": {"x": 1}}) is None


@pytest.mark.parametrize(("schema", "body", "code", "field", "detail"), [
    ("QuotesPostRequest", _with(QUOTE, "payee", ...), "3102", "/payee",
     "/requestBody must have required property 'payee'"),
    ("QuotesPostRequest", _with(QUOTE, "amount/currency", ...), "3102", "/amount/currency",
     "/requestBody/amount must have required property 'currency'"),
    ("QuotesPostRequest", _with(QUOTE, "amount/amount", 1500), "3101", "/amount/amount",
     "/requestBody/amount/amount must be string"),
    ("QuotesPostRequest", _with(QUOTE, "amount/amount", "15.0"), "3100", "/amount/amount",
     '/requestBody/amount/amount must match pattern "^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$"'),
    ("QuotesPostRequest", _with(QUOTE, "amount/currency", "XYZ"), "3100", "/amount/currency",
     "/requestBody/amount/currency must be equal to one of the allowed values"),
    ("QuotesPostRequest", _with(QUOTE, "amountType", "GIVE"), "3100", "/amountType",
     "/requestBody/amountType must be equal to one of the allowed values"),
    ("QuotesPostRequest", _with(QUOTE, "note", "x" * 129), "3100", "/note",
     "/requestBody/note must NOT have more than 128 characters"),
    ("QuotesPostRequest", _with(QUOTE, "quoteId", "not-a-uuid"), "3100", "/quoteId", None),
    ("QuotesPostRequest", _with(QUOTE, "payer/personalInfo/complexName/firstName", "Robert'); DROP<"), "3100",
     "/payer/personalInfo/complexName/firstName", None),
    ("QuotesPostRequest", [QUOTE], "3101", "", "/requestBody must be object"),
    ("TransfersPostRequest", _with(TRANSFER, "condition", "short"), "3100", "/condition", None),
    ("TransfersPostRequest", _with(TRANSFER, "expiration", "2026-12-06T12:00:00Z"), "3100", "/expiration", None),
    ("TransfersPostRequest", _with(TRANSFER, "amount/amount", "1٥00"), "3100", "/amount/amount", None),
])
def test_broken_bodies_get_mojaloops_code_field_and_words(spec: schemas.Definitions, schema: str, body: Any,
                                                          code: str, field: str, detail: str | None) -> None:
    violation = spec.check_body(schema, body)
    assert violation is not None
    assert (violation.code, violation.field) == (code, field)
    if detail is not None:
        assert violation.detail == detail
    assert violation.description.startswith(schemas.CODE_NAMES[code] + " - /requestBody")


def test_names_in_any_script_pass_and_ascii_classes_stay_ascii(spec: schemas.Definitions) -> None:
    for name in ("李雷", "Ngabo-Nkusi", "Ọlá", "O'Brien"):
        body = _with(QUOTE, "payer/personalInfo/complexName/firstName", name)
        assert spec.check_body("QuotesPostRequest", body) is None, name
    assert spec.check_body("QuotesPostRequest", _with(QUOTE, "payer/personalInfo/complexName/firstName", " ")) \
        is not None


def test_routes_match_the_most_specific_template(spec: schemas.Definitions) -> None:
    assert spec.route("PUT", "/parties/MSISDN/250788123456/error").template == "/parties/{Type}/{ID}/error"
    assert spec.route("PUT", "/parties/MSISDN/250788123456/sub").template == "/parties/{Type}/{ID}/{SubId}"
    assert spec.route("PATCH", "/transfers/abc").schema_name == "TransfersIDPatchResponse"
    assert spec.route("GET", "/quotes/abc").schema_name is None
    assert spec.route("POST", "/nowhere") is None
    assert spec.route("DELETE", "/quotes/abc") is None
    assert spec.knows_path("/quotes/abc") and not spec.knows_path("/nowhere")


@pytest.mark.parametrize(("raw", "code"), [
    (b"", "3102"), (b"   ", "3102"), (b"{", "3101"), (b"\xff\xfe", "3101"), (b"[" * 100 + b"]" * 100, "3101"),
    (b"[" * 100_000 + b"]" * 100_000, "3101"), (b" " * (schemas.BODY_BYTES_MAX + 1), "3104"),
])
def test_unparseable_bodies(spec: schemas.Definitions, raw: bytes, code: str) -> None:
    body, violation = spec.check_request("POST", "/quotes", raw)
    assert body is None and violation is not None and violation.code == code


def test_a_request_is_parsed_and_checked_for_its_route(spec: schemas.Definitions) -> None:
    body, violation = spec.check_request("POST", "/transfers", json.dumps(TRANSFER).encode())
    assert violation is None and body == TRANSFER
    _, violation = spec.check_request("PUT", "/transfers/abc/error", b'{"errorInformation": {}}')
    assert violation is not None and violation.detail.endswith("must have required property 'errorCode'")
    assert spec.check_request("GET", "/parties/MSISDN/1", b"") == (None, None)


def test_a_missing_definition_is_a_deployment_fault(tmp_path: Path) -> None:
    with pytest.raises(schemas.SpecMissing):
        schemas.Definitions.load(tmp_path / "absent.yaml")


_AJV = """
const Ajv = require('ajv'); const yaml = require('js-yaml'); const fs = require('node:fs');
const doc = yaml.load(fs.readFileSync(process.argv[1], 'utf8'));
const ajv = new Ajv({ allErrors: false, strict: false, unicodeRegExp: true });
const out = JSON.parse(process.argv[2]).map(([name, body]) => {
  const validate = ajv.compile({ $ref: '#/components/schemas/' + name, components: doc.components });
  if (validate(body)) return null;
  const e = validate.errors[0];
  return [e.keyword, e.instancePath, e.message];
});
console.log(JSON.stringify(out));
"""


def test_first_errors_agree_with_ajv(spec: schemas.Definitions) -> None:
    cases: list[tuple[str, Any]] = [("QuotesPostRequest", QUOTE), ("TransfersPostRequest", TRANSFER)]
    for path in ("quoteId", "payee", "payer/partyIdInfo", "amount", "amount/currency", "transactionType/scenario"):
        cases.append(("QuotesPostRequest", _with(QUOTE, path, ...)))
    for path, value in [("amount/amount", "-1"), ("amount/amount", 7), ("payee/partyIdInfo/partyIdType", "PHONE"),
                        ("payee/partyIdInfo/partyIdentifier", "x" * 200), ("transactionType", "TRANSFER"),
                        ("payer/personalInfo/dateOfBirth", "1984-02-30"), ("note", ""),
                        ("payer/personalInfo/complexName/lastName", "Ba\u0000d")]:
        cases.append(("QuotesPostRequest", _with(QUOTE, path, value)))
    for path, value in [("ilpPacket", ""), ("condition", "=" * 43), ("payerFsp", ""), ("expiration", "tomorrow"),
                        ("amount", {"amount": "1"}), ("transferId", None)]:
        cases.append(("TransfersPostRequest", _with(TRANSFER, path, value)))
    done = subprocess.run(["node", "-e", _AJV, str(schemas.SPEC_FILE), json.dumps(cases)], cwd=TOOLS,
                          capture_output=True, text=True, timeout=60, check=True)
    for (name, body), theirs in zip(cases, json.loads(done.stdout), strict=True):
        ours = spec.check_body(name, body)
        if theirs is None:
            assert ours is None, (body, ours)
            continue
        keyword, instance_path, message = theirs
        assert ours is not None, (body, theirs)
        assert ours.detail == f"/requestBody{instance_path} {message}", (ours, theirs)
