"""Behind a reverse proxy that ends TLS: session cookies are Secure when the trusted proxy says the request
came over HTTPS, and /metrics sees the client the proxy names. A proxy header from anyone the server was not
told to trust changes nothing (see also test_sessions). And the other option of a demo run exposed: the
networks webhooks may reach although they are not public (--webhook-allow; none by default)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys
from inzira.web.remit.sessions import COOKIE_NAME
from tests.web_remit.helpers import HTTP_TIMEOUT_S

HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = Demo(tmp_path_factory.mktemp("behind-proxy") / "data", port=0, trusted_proxies=("127.0.0.1",),
                   webhook_allowed_networks=("127.0.0.1/32",))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _client(demo: Demo, member: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {load_api_keys(demo.data_dir)[member]}"} if member else {}
    return httpx.Client(base_url=demo.url.rstrip("/"), headers=headers, timeout=HTTP_TIMEOUT_S)


def _refused(answer: httpx.Response) -> None:
    assert answer.status_code == 400 and answer.json()["code"] == 3100, answer.text


def test_webhooks_reach_only_the_networks_the_demo_was_told(demo: Demo, proxied: Demo) -> None:
    """By default the demo refuses a webhook to its own host (its API, the simulators' admin ports); started with
    --webhook-allow 127.0.0.1/32 it lets members and acquirers reach a receiver there, and nothing else."""
    own_api = f"{demo.url}v1/transactions"
    with _client(demo, "eurosend") as eurosend, _client(demo, "ubumwe") as ubumwe:
        _refused(eurosend.post("/v1/remit/webhooks", json={"url": own_api}))
        _refused(ubumwe.put("/v1/qr/acquirers/ubumwe/webhook", json={"url": own_api}))
    receiver = "http://127.0.0.1:9/hook"
    with _client(proxied, "eurosend") as eurosend, _client(proxied, "ubumwe") as ubumwe:
        added = eurosend.post("/v1/remit/webhooks", json={"url": receiver})
        assert added.status_code == 201, added.text
        assert eurosend.delete(f"/v1/remit/webhooks/{added.json()['id']}").status_code in (200, 204)
        put = ubumwe.put("/v1/qr/acquirers/ubumwe/webhook", json={"url": receiver})
        assert put.status_code == 200, put.text
        for elsewhere in ("http://127.0.0.2:9/hook", "http://169.254.169.254/latest/meta-data/"):
            _refused(eurosend.post("/v1/remit/webhooks", json={"url": elsewhere}))
            _refused(ubumwe.put("/v1/qr/acquirers/ubumwe/webhook", json={"url": elsewhere}))


def test_cookies_are_secure_when_the_trusted_proxy_says_https(proxied: Demo) -> None:
    with _client(proxied) as client:
        over_https = client.post("/remit/sign-in", data={"member": "eurosend", "role": "agent"}, headers=HTTPS)
        assert over_https.status_code == 303
        cookie = over_https.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE_NAME}=") and "Secure" in cookie and "HttpOnly" in cookie
        signed_out = client.post("/remit/sign-out", headers=HTTPS)
        assert "Secure" in signed_out.headers["set-cookie"]
        pos = client.post("/qr/pos/sign-in", data={"demo": "1"}, headers=HTTPS)
        assert pos.status_code == 303 and "Secure" in pos.headers["set-cookie"]
    with _client(proxied) as client:
        plain = client.post("/remit/sign-in", data={"member": "eurosend", "role": "agent"})
        assert plain.status_code == 303 and "Secure" not in plain.headers["set-cookie"]


def test_metrics_see_the_client_the_trusted_proxy_names(proxied: Demo) -> None:
    with _client(proxied) as client:
        assert client.get("/metrics").status_code == 200  # the proxy itself, on this host
        remote = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
        assert remote.status_code == 403 and remote.json()["code"] == 4300
