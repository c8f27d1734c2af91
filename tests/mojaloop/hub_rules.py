"""Rules that make a Testing Toolkit play eKash (hub and payee FSP) for the gateway's payer side.

Numbers and amounts pick the scenario: ``KNOWN`` is a wallet at ``PAYEE_FSP``; ``UNKNOWN`` is nobody's
(3204); a quote for ``QUOTE_REFUSED`` is refused (5101); a transfer of ``TRANSFER_ABORTED`` is aborted (5105);
a transfer of ``LATE_FULFILMENT`` is fulfilled ``LATE_DELAY_MS`` after it was sent, past its expiration, and
the hub then reports it ABORTED. The toolkit computes the ILP packet, condition and fulfilment itself.
"""

from __future__ import annotations

from typing import Any

PAYEE_FSP = "ekashpayee"
HUB_FSP = "switch"
KNOWN = "250788000001"
UNKNOWN = "250788000404"
QUOTE_REFUSED = "4001"
TRANSFER_ABORTED = "4002"
LATE_FULFILMENT = "4003"
LATE_DELAY_MS = 10_000  # past the 8 s the test gives its remittance, with room for a slow machine
FEE = "25"  # the payee FSP's fee on every quote, in RWF

_API = {"minorVersion": 1, "majorVersion": 1, "type": "fspiop", "asynchronous": True}


def _headers(resource: str, source: str = PAYEE_FSP) -> dict[str, str]:
    return {
        "Content-Type": f"application/vnd.interoperability.{resource}+json;version=1.1",
        "Date": "{$request.headers.date}",
        "FSPIOP-Source": source,
        "FSPIOP-Destination": "{$request.headers.fspiop-source}",
    }


def _is(operation_path: str, method: str, *more: dict[str, Any]) -> dict[str, Any]:
    return {"all": [{"fact": "operationPath", "operator": "equal", "value": operation_path},
                    {"fact": "method", "operator": "equal", "value": method}, *more]}


def _body_amount(value: str) -> dict[str, Any]:
    return {"fact": "body", "operator": "equal", "value": value, "path": "amount.amount"}


def _rule(rule_id: int, rule_type: str, description: str, conditions: dict[str, Any],
          event: dict[str, Any]) -> dict[str, Any]:
    return {"ruleId": rule_id, "priority": 1, "description": description, "apiVersion": _API,
            "conditions": conditions, "event": event, "type": rule_type, "version": 1}


def _error(resource: str, path: str, code: str, description: str) -> dict[str, Any]:
    return {"method": "put", "path": path, "type": "FIXED_ERROR_CALLBACK",
            "params": {"headers": _headers(resource),
                       "body": {"errorInformation": {"errorCode": code, "errorDescription": description}}}}


def validation_rules() -> list[dict[str, Any]]:
    """Requests the toolkit answers with ``PUT .../error``."""
    return [
        _rule(9001, "validation", "party not found",
              _is("/parties/{Type}/{ID}", "get", {"fact": "pathParams", "operator": "equal", "value": UNKNOWN,
                                                   "path": "ID"}),
              _error("parties", "/parties/{Type}/{ID}/error", "3204", "Party not found")),
        _rule(9002, "validation", "quote refused", _is("/quotes", "post", _body_amount(QUOTE_REFUSED)),
              _error("quotes", "/quotes/{ID}/error", "5101", "Payee rejected quote")),
        _rule(9003, "validation", "transfer aborted", _is("/transfers", "post", _body_amount(TRANSFER_ABORTED)),
              _error("transfers", "/transfers/{ID}/error", "5105", "Payee FSP rejected transaction")),
    ]


def callback_rules() -> list[dict[str, Any]]:
    """Requests the toolkit answers with a successful PUT callback."""
    quote_script = [
        "const quote = JSON.parse(request.body)",
        "const asked = Number(quote.amount.amount)",
        "const receive = quote.amountType === 'RECEIVE'",
        "environment.transfer = String(receive ? asked + %s : asked)" % FEE,
        "environment.receive = String(receive ? asked : asked - %s)" % FEE,
        "environment.expiration = new Date(Date.now() + 60 * 1000).toISOString()",
    ]
    return [
        _rule(9101, "callback", "party at the payee FSP",
              _is("/parties/{Type}/{ID}", "get", {"fact": "pathParams", "operator": "equal", "value": KNOWN,
                                                   "path": "ID"}),
              {"method": "put", "path": "/parties/{Type}/{ID}", "type": "FIXED_CALLBACK",
               "params": {"headers": _headers("parties"), "body": {"party": {
                   "partyIdInfo": {"partyIdType": "{$request.params.Type}", "partyIdentifier": "{$request.params.ID}",
                                   "fspId": PAYEE_FSP},
                   "name": "Jeanne Uwase",
                   "personalInfo": {"complexName": {"firstName": "Jeanne", "lastName": "Uwase"}}}}}}),
        _rule(9102, "callback", "quote with the payee FSP's fee", _is("/quotes", "post"),
              {"method": "put", "path": "/quotes/{ID}", "type": "FIXED_CALLBACK",
               "params": {"scripts": {"exec": quote_script, "scriptingEngine": "javascript"},
                          "headers": _headers("quotes"),
                          "body": {"transferAmount": {"currency": "{$request.body.amount.currency}",
                                                      "amount": "{$environment.transfer}"},
                                   "payeeReceiveAmount": {"currency": "{$request.body.amount.currency}",
                                                          "amount": "{$environment.receive}"},
                                   "payeeFspFee": {"currency": "{$request.body.amount.currency}", "amount": FEE},
                                   "expiration": "{$environment.expiration}"}}}),
        _rule(9103, "callback", "late fulfilment", _is("/transfers", "post", _body_amount(LATE_FULFILMENT)),
              {"method": "put", "path": "/transfers/{ID}", "type": "FIXED_CALLBACK", "delay": LATE_DELAY_MS,
               "params": {"delay": LATE_DELAY_MS, "headers": _headers("transfers"),
                          "body": {"transferState": "COMMITTED",
                                   "completedTimestamp": "{$function.generic.curDateISO}"}}}),
        _rule(9104, "callback", "transfer committed", _is("/transfers", "post"),
              {"method": "put", "path": "/transfers/{ID}", "type": "FIXED_CALLBACK",
               "params": {"headers": _headers("transfers"),
                          "body": {"transferState": "COMMITTED",
                                   "completedTimestamp": "{$function.generic.curDateISO}"}}}),
        _rule(9105, "callback", "the hub's view after the expiration", _is("/transfers/{ID}", "get"),
              {"method": "put", "path": "/transfers/{ID}", "type": "FIXED_CALLBACK",
               "params": {"headers": _headers("transfers", HUB_FSP),  # the hub answers a GET itself
                          "body": {"transferState": "ABORTED",
                                   "completedTimestamp": "{$function.generic.curDateISO}"}}}),
    ]
