"""Genesis, health, metrics, the OpenAPI document, and errors outside any route: all as documented."""

from __future__ import annotations

import httpx

from inzira.api.app import create_app
from inzira.api.models import Health
from inzira.api.server import serve_in_thread
from inzira.api.settings import ApiSettings
from inzira.ledger import genesis as genesis_mod
from inzira.ledger.tx import OpenAccount
from tests.api.helpers import PROBLEM_TYPE, post_tx, problem

ROUTES = {
    "/v1/transactions": {"post"},
    "/v1/transactions/batch": {"post"},
    "/v1/transactions/{tx_id}": {"get"},
    "/v1/transactions/{tx_id}/receipt": {"get"},
    "/v1/receipts/verify": {"post"},
    "/v1/accounts": {"get"},
    "/v1/accounts/{account_id}": {"get"},
    "/v1/pending/{pending_id}": {"get"},
    "/v1/blocks": {"get"},
    "/v1/blocks/{height}": {"get"},
    "/v1/tickets": {"post"},
    "/v1/events": {"get"},
    "/v1/genesis": {"get"},
    "/health": {"get"},
    "/metrics": {"get"},
}


def test_genesis_and_health_are_public(ledger):
    with ledger.http() as anonymous:
        response = anonymous.get("/v1/genesis")
        assert response.status_code == 200
        genesis = genesis_mod.loads(response.content)
        assert genesis.chain_id == ledger.net.chain_id
        assert response.headers["x-inzira-chain-id"] == ledger.net.chain_id.hex()
        health = Health.model_validate(anonymous.get("/health").json())
        assert health.status == "ok" and health.chain_id == ledger.net.chain_id.hex() and health.failed is None
        assert health.height <= ledger.net.node.height


def test_openapi_lists_every_route_with_problem_errors(ledger):
    with ledger.http() as anonymous:
        spec = anonymous.get("/openapi.json").json()
        assert anonymous.get("/docs").status_code == 200
    for path, methods in ROUTES.items():
        assert methods <= set(spec["paths"].get(path, {})), path
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == [PROBLEM_TYPE], (path, method, status)
    submit = spec["paths"]["/v1/transactions"]["post"]
    assert {"application/octet-stream", "application/json"} <= set(submit["requestBody"]["content"])
    assert {"200", "403", "409", "422", "503", "504"} <= set(submit["responses"])


def test_errors_outside_routes_are_problems(ledger):
    with ledger.http("eurosend") as http:
        problem(http.get("/v1/no-such-thing"), 404, 3002)
        problem(http.delete("/v1/blocks"), 405, 3000)
        body = problem(http.get("/v1/blocks", params={"limit": "many"}), 400, 3100)
        assert body["errors"][0]["location"] == "query.limit"


def test_bodies_over_the_limit_are_413(ledger):
    big = b"\x00" * (64 * 1024 + 1)
    with ledger.http("eurosend") as http:
        problem(post_tx(http, big), 413, 3104)

        def chunks():  # no Content-Length: the limit is enforced while the body streams in
            for _ in range(17):
                yield b"\x00" * 4096

        problem(http.post("/v1/transactions", content=chunks(), headers={"Content-Type": "application/octet-stream"}),
                413, 3104)
        problem(http.post("/v1/receipts/verify", content=b"{" + b" " * (64 * 1024) + b"}",
                          headers={"Content-Type": "application/json"}), 413, 3104)
        # The batch path has its own, larger limit.
        assert http.post("/v1/transactions/batch", json={"txs": ["A" * 70_000]}).status_code == 200


def test_metrics_count_submissions(ledger):
    with ledger.http("eurosend") as http, ledger.http() as anonymous:
        assert post_tx(http, ledger.sign("eurosend", OpenAccount("eurosend:metrics", "EUR"))).status_code == 200
        post_tx(http, b"junk")
        text = anonymous.get("/metrics").text
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    assert values["inzira_api_transactions_submitted_total"] >= 1
    assert values["inzira_api_transactions_committed_total"] >= 1
    assert values['inzira_api_transactions_rejected_total{code="3101"}'] >= 1
    assert values["inzira_ledger_block_height"] >= 1
    assert values['inzira_api_submit_seconds_count{endpoint="single"}'] >= 1


def test_metrics_with_a_token_answer_that_token_only(ledger):
    """An operator's Prometheus elsewhere scrapes with the metrics token; member tokens do not open it."""
    app = create_app(ledger.net, settings=ApiSettings(metrics_token="metrics-secret-1"))
    served, _port = serve_in_thread(app)
    try:
        with httpx.Client(base_url=served.base_url, timeout=10) as client:
            problem(client.get("/metrics"), 401, 3040)
            for wrong in ("metrics-secret-2", ledger.tokens["cbr"]):
                problem(client.get("/metrics", headers={"Authorization": f"Bearer {wrong}"}), 401, 3040)
            scraped = client.get("/metrics", headers={"Authorization": "Bearer metrics-secret-1"})
            assert scraped.status_code == 200 and "inzira_ledger_block_height" in scraped.text
    finally:
        served.stop()


def test_metrics_without_a_token_answer_loopback_only(ledger):
    """Behind a trusted proxy the client is the one it names: a remote one is refused."""
    served, _port = serve_in_thread(create_app(ledger.net), trusted_proxies=("127.0.0.1",))
    try:
        with httpx.Client(base_url=served.base_url, timeout=10) as client:
            assert client.get("/metrics").status_code == 200
            problem(client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4"}), 403, 4300)
    finally:
        served.stop()
