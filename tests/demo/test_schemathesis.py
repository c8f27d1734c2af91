"""schemathesis against the live OpenAPI document of the demo app: every operation, as every kind of caller, and
no answer is a 5xx.

Each operation gets schemathesis's coverage cases (boundary values, missing and mistyped parameters, both
valid and deliberately invalid by the schema, a fixed list) and a few Hypothesis examples, valid and invalid,
with generated path ids and, where the path names the demo's merchant, wallet or acquirer, with the real ones
so the requests reach the handlers. Every request is sent once per caller: anonymous, each member of the demo
(together they hold every role), the demo merchant, the demo visitor wallet and each compliance officer.
Hypothesis runs derandomized, so a run is repeatable. Webhook targets are pinned to a loopback address: a
generated host would make the service reach out to the network.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys

EXAMPLES_PER_MODE = 3  # Hypothesis examples per operation and generation mode; each goes to every caller
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
REQUEST_TIMEOUT_S = 10.0
FAILURES_SHOWN_MAX = 20
WEBHOOK_BODY = {"url": "http://127.0.0.1:9/inzira-hook"}  # the discard port: nothing listens, nothing leaves
WEBHOOK_OPERATIONS = ("POST /v1/remit/webhooks", "PUT /v1/qr/acquirers/{acquirer}/webhook")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = Demo(tmp_path_factory.mktemp("demo") / "data", port=0)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def callers(demo: Demo) -> dict[str, dict[str, str]]:
    """Every kind of caller the demo has a credential for: name -> headers."""
    data_dir: Path = demo.data_dir
    members = demo.runtime.node.state.members  # type: ignore[union-attr]
    found = {"anonymous": {}}
    for member, token in sorted(load_api_keys(data_dir).items()):
        found[f"member {member} ({', '.join(sorted(members[member].roles))})"] = _bearer(token)
    customers = json.loads((data_dir / "qr-demo.json").read_text())
    found["merchant"] = _bearer(customers["merchant_token"])
    found["visitor wallet"] = _bearer(customers["wallet_token"])
    officers = json.loads((data_dir / "remit-officers.json").read_text())
    for member, token in sorted(officers.items()):
        found[f"compliance officer of {member}"] = _bearer(token)
    return found


def _strategy(operation: Any, known_ids: dict[str, str]) -> Any:
    label = f"{operation.method.upper()} {operation.path}"
    body = WEBHOOK_BODY if label in WEBHOOK_OPERATIONS else schemathesis.core.NOT_SET
    options: list[Any] = [operation.as_strategy(mode, body=body) for mode in MODES]
    names = {p.name for p in operation.path_parameters}
    real = {name: value for name, value in known_ids.items() if name in names}
    if real:
        options.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real, body=body))
    return st.one_of(options)


class Sender:
    """Sends a prepared request on one kept-alive connection to the demo and answers its status: opening a
    connection and a ``requests`` call per request cost three times what the demo takes to answer, and each case
    goes to every caller. An event stream is not read: its connection is closed and the next request opens one."""

    def __init__(self, port: int) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)

    def status(self, request: requests.PreparedRequest, headers: dict[str, str]) -> int:
        try:
            return self._send(request, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server may close a kept-alive connection between requests: once more, on a new one
            self._connection.close()
            return self._send(request, headers)

    def _send(self, request: requests.PreparedRequest, headers: dict[str, str]) -> int:
        self._connection.request(request.method or "GET", request.path_url, body=request.body, headers=headers)
        response = self._connection.getresponse()
        if response.getheader("content-type", "").startswith("text/event-stream"):
            self._connection.close()
        else:
            response.read()
            if response.will_close:
                self._connection.close()
        return response.status

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *_: object) -> None:
        self._connection.close()


@pytest.mark.timeout(900)  # fixed work (derandomized): about 50 s idle, several times that on a loaded machine
def test_no_operation_answers_5xx(demo: Demo) -> None:
    schema = schemathesis.openapi.from_url(f"{demo.url}openapi.json")
    customers = json.loads((demo.data_dir / "qr-demo.json").read_text())
    known_ids = {"merchant_id": customers["merchant_id"], "wallet_id": customers["wallet_id"], "acquirer": "ubumwe"}
    who = callers(demo)
    failures: list[str] = []
    operations = 0
    with requests.Session() as session, Sender(demo.port) as sender:

        def send(case: Any) -> None:
            kwargs = case.as_transport_kwargs(base_url=demo.url.rstrip("/"))
            kwargs.pop("auth", None)
            request = session.prepare_request(requests.Request(**kwargs))
            sent = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
            for name, headers in who.items():
                status = sender.status(request, {**sent, **headers})
                if status >= 500:
                    failures.append(f"{status} for {name}: {case.as_curl_command()}")

        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            if f"{operation.method.upper()} {operation.path}" not in WEBHOOK_OPERATIONS:
                config = schema.config.generation_for(operation=operation)
                for case in schema.iter_coverage_cases(operation, generation_modes=MODES, generation_config=config):
                    send(case)
            run = settings(max_examples=EXAMPLES_PER_MODE * 3, derandomize=True, database=None, deadline=None,
                           phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck),
                           )(given(case=_strategy(operation, known_ids))(send))
            run()
    assert operations >= 60, "the demo's OpenAPI document lost operations"
    assert not failures, f"{len(failures)} answers were 5xx:\n" + "\n".join(failures[:FAILURES_SHOWN_MAX])


BOUNDED_FORMATS = ("binary", "byte", "date")  # bodies bounded by the size limit (413), dates by their format


def _unbounded(schema: dict[str, Any], where: str, components: dict[str, Any], seen: tuple[str, ...] = ()) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _unbounded(components[name], f"{where}>{name}", components, (*seen, name))
    found = []
    kind = schema.get("type")
    if kind == "integer" and not ({"minimum", "exclusiveMinimum"} & schema.keys()
                                  and {"maximum", "exclusiveMaximum"} & schema.keys()):
        found.append(f"{where}: an integer without both bounds")
    if kind == "string" and not ({"pattern", "maxLength", "enum", "const"} & schema.keys()
                                 or schema.get("format") in BOUNDED_FORMATS):
        found.append(f"{where}: a string without a pattern, length or enum")
    if kind == "array" and "maxItems" not in schema:
        found.append(f"{where}: an array without maxItems")
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded(option, where, components, seen)
    for name, prop in schema.get("properties", {}).items():
        found += _unbounded(prop, f"{where}.{name}", components, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += _unbounded(schema[key], f"{where}[]", components, seen)
    return found


def test_the_openapi_document_bounds_every_input(demo: Demo) -> None:
    """Every number a request carries has a stated range, every string a pattern, length or enum: what the API
    enforces, so clients and generated tests know it (a number past 64 bits once reached SQLite as a 500)."""
    document = requests.get(f"{demo.url}openapi.json", timeout=REQUEST_TIMEOUT_S).json()
    components = document.get("components", {}).get("schemas", {})
    found: list[str] = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                found += _unbounded(parameter.get("schema", {}), f"{label} {parameter['in']} {parameter['name']}",
                                    components)
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                found += _unbounded(content.get("schema", {}), f"{label} body ({media_type})", components)
    assert not found, "\n".join(found)
