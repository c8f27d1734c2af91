"""Webhook targets a caller supplies: every address the host resolves to must be public, unless allow-listed.

Only literal addresses, "localhost" (from /etc/hosts) and injected resolvers are used: no test asks a DNS
server anything, and nothing connects to a refused address.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn
from fastapi import FastAPI, Request

from inzira.crypto.keygen import generate_keypair
from inzira.notify import targets
from inzira.notify.targets import TargetGuard, TargetRefused
from inzira.notify.webhooks import WebhookSender

REFUSED_URLS = (
    "http://127.0.0.1:8080/hook",  # loopback
    "http://127.1/hook",  # loopback, short form (resolved by the system, as a client would)
    "http://2130706433/hook",  # loopback as one number
    "http://localhost/hook",  # a name for loopback (/etc/hosts)
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
    "http://0.0.0.0/hook",
    "http://10.1.2.3/hook",  # private
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",  # carrier-grade NAT
    "http://169.254.169.254/latest/meta-data/",  # the cloud metadata address (link-local)
    "http://[fe80::1]/hook",  # link-local
    "http://[fd00:ec2::254]/hook",  # unique local (a cloud's IPv6 metadata address)
    "http://224.0.0.1/hook",  # multicast
    # IPv6 addresses that carry an IPv4 one reach that one: NAT64 (an IPv6-only host's gateway), 6to4,
    # IPv4-compatible; Python's is_global looks at the IPv6 address only and called each of these public.
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64 of 169.254.169.254
    "http://[64:ff9b::10.0.0.5]/hook",  # NAT64 of a private address
    "http://[64:ff9b:1::a00:5]/hook",  # the local-use NAT64 prefix: the operator's own network
    "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "http://[2002:a00:1::1]/hook",  # 6to4 of 10.0.0.1
    "http://[::a9fe:a9fe]/hook",  # IPv4-compatible 169.254.169.254
    "http://[fec0::1]/hook",  # site-local (deprecated, still routed inside some networks)
)


def check(guard: TargetGuard, url: str):
    return asyncio.run(guard.check(url))


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_non_public_targets_are_refused(url):
    with pytest.raises(TargetRefused, match="not a public address"):
        check(TargetGuard(), url)


@pytest.mark.parametrize("url", ["ftp://example.org/x", "http:///x", "http://h:99999/x", "x" * 10,
                                 "http://" + "a" * 3000,
                                 # public addresses, refused for the URL itself: credentials (logged and shown
                                 # with the URL), what no request line carries, port 0
                                 "http://user:secret@93.184.215.14/x", "https://token@93.184.215.14/x",
                                 "http://93.184.215.14/x\r\nX-Injected: 1", "http://93.184.215.14/a b",
                                 "http://93.184.215.14:0/x"])
def test_malformed_urls_are_refused(url):
    with pytest.raises(TargetRefused):
        check(TargetGuard(), url)


def test_every_resolved_address_is_checked():
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "10.0.0.7"]  # one public answer does not cover a private one

    with pytest.raises(TargetRefused, match="10.0.0.7"):
        check(TargetGuard(resolver=resolver), "https://hooks.example/x")


def test_unresolvable_host_is_refused():
    async def resolver(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(TargetRefused, match="does not resolve"):
        check(TargetGuard(resolver=resolver), "https://nowhere.example/x")


def test_public_addresses_pass_and_the_checked_address_is_kept():
    async def resolver(host: str, port: int) -> list[str]:
        assert (host, port) == ("hooks.example", 443)
        return ["93.184.215.14"]

    target = check(TargetGuard(resolver=resolver), "https://hooks.example/x")
    assert (target.host, target.address) == ("hooks.example", "93.184.215.14")
    assert check(TargetGuard(), "http://93.184.215.14:8080/x").address == "93.184.215.14"
    # An IPv6-only host reaches a public IPv4 receiver through NAT64: that stays allowed.
    assert check(TargetGuard(), "http://[64:ff9b::5db8:d70e]/x").address == "64:ff9b::5db8:d70e"


def test_the_operator_allow_list_opens_only_its_networks():
    guard = TargetGuard(("127.0.0.1/32", "10.20.0.0/16"))
    assert check(guard, "http://127.0.0.1:9/x").address == "127.0.0.1"
    assert check(guard, "http://10.20.3.4/x").address == "10.20.3.4"
    for url in ("http://127.0.0.2/x", "http://10.21.0.1/x", "http://169.254.169.254/x", "http://[::1]/x"):
        with pytest.raises(TargetRefused):
            check(guard, url)


@pytest.mark.parametrize("answers, delivered", [
    # A name that resolves to a public address when registered and to another one later (DNS rebinding) is
    # checked again at delivery; the request goes to the address just checked, with the URL's own Host.
    (["127.0.0.1", "169.254.169.254"], 1),  # first delivery: the allow-listed receiver; second: metadata
    # DNS that does not answer once is tried again: the event was lost at the first hiccup.
    ([None, "127.0.0.1", "127.0.0.1"], 2),
])
def test_a_delivery_connects_to_the_address_it_checked(answers, delivered):
    seen: list[tuple[str, str]] = []
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> dict[str, bool]:
        seen.append((request.headers["host"], request.client.host if request.client else ""))
        return {"ok": True}

    async def resolver(host: str, port: int) -> list[str]:
        answer = answers.pop(0)
        if answer is None:
            raise socket.gaierror("temporary failure in name resolution")
        return [answer]

    async def scenario() -> WebhookSender:
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        serving = asyncio.create_task(server.serve())
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        sender = WebhookSender(generate_keypair(), "mobimo", guard=TargetGuard(("127.0.0.1/32",), resolver))
        sender.start()
        url = f"http://receiver.example:{port}/hook"
        assert sender.send(url, {"id": "e1"}) and sender.send(url, {"id": "e2"})
        deadline = time.monotonic() + 10
        while sender.stats.delivered + sender.stats.failed < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await sender.stop()
        server.should_exit = True
        await serving
        return sender

    sender = asyncio.run(scenario())
    assert len(seen) == delivered
    assert all(host.startswith("receiver.example:") and client == "127.0.0.1" for host, client in seen)
    assert (sender.stats.delivered, sender.stats.failed) == (delivered, 2 - delivered)
    if delivered == 1:
        assert "169.254.169.254" in sender.stats.last_error


def test_a_webhook_host_whose_dns_hangs_holds_no_thread_of_the_loops_own(monkeypatch):
    """A member registers hosts whose DNS never answers. Resolving them took the loop's default executor, where
    the service's HTTP clients resolve every host they call (a payout operator's API, the directory): a few
    such webhooks stalled every payout. They resolve in threads of their own, and time out there."""
    hanging = threading.Event()
    entered: list[str] = []
    system = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host.endswith(".hangs.example"):
            entered.append(host)
            hanging.wait(10)
            raise socket.gaierror("no answer")
        return system(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(targets, "RESOLVE_TIMEOUT_S", 0.2)

    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(2))
        checks = [asyncio.create_task(TargetGuard().check(f"https://h{i}.hangs.example/x")) for i in range(4)]
        deadline = time.monotonic() + 5
        while len(entered) < 2 and time.monotonic() < deadline:  # as many hang as the default executor has threads
            await asyncio.sleep(0.005)
        started = time.monotonic()
        await asyncio.wait_for(loop.run_in_executor(None, lambda: None), 5)  # e.g. aiohttp resolving a payout API
        waited = time.monotonic() - started
        for check in checks:
            with pytest.raises(TargetRefused, match="does not resolve"):
                await check
        return waited

    try:
        assert asyncio.run(scenario()) < 0.1
    finally:
        hanging.set()
