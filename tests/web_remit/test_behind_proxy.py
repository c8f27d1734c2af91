"""Behind a reverse proxy that ends TLS: session cookies are Secure when the trusted proxy says the request
came over HTTPS, and /metrics sees the client the proxy names. A proxy header from anyone the server was not
told to trust changes nothing (see also test_sessions)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.web.remit.sessions import COOKIE_NAME
from tests.web_remit.helpers import HTTP_TIMEOUT_S

HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = Demo(tmp_path_factory.mktemp("behind-proxy") / "data", port=0, trusted_proxies=("127.0.0.1",))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _client(demo: Demo) -> httpx.Client:
    return httpx.Client(base_url=demo.url.rstrip("/"), timeout=HTTP_TIMEOUT_S)


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
