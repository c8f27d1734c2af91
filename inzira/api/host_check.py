"""The one ASGI middleware refusing a request whose ``Host`` header names no host this server answers for: the
defence against DNS rebinding. A page on evil.example whose name re-resolves to 127.0.0.1 (or to a member's
private address) makes same-origin requests from the victim's browser to our server and reads the answers;
Origin checks do not help, the origin is evil.example itself. The browser still sends ``Host: evil.example``.

The servers (``inzira.api.server.serve_in_thread``, ``inzira.remit.loop_server.LoopServer``) wrap every app
they serve, outermost, knowing the address they bind; an app used in-process (an ASGI test client) is never
reachable from a browser, so it is not wrapped. What passes (any port, names without letter case or a final dot):
- on a loopback bind (127.0.0.0/8 or ``localhost``): ``localhost``, 127.0.0.0/8 literals and ``[::1]``;
  not names under ``.localhost``, which some resolvers send to DNS;
- on any other bind (an address, 0.0.0.0, or a name): the same, any IP literal (a browser sends one only when the
  page's own origin is that address: no name, no rebinding), and the bind name itself;
- always: the names listed in ``allowed_hosts`` (a public name a TLS proxy passes on, a LAN name).
A missing Host (HTTP/1.0), a repeated one, or one that is not ``name[:port]`` is refused too: browsers always send
exactly one. The refusal is 400 problem+json, code 3042, with ``Connection: close``; the app never sees it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from inzira.api.codes import ApiCode

ALLOWED_HOSTS_MAX = 64
# Host values whose verdict is kept: a server sees few (its clients' spellings of its address), and reading an
# address literal again is ~10 µs a request; a flood of made-up values only empties the memo.
VERDICTS_KEPT = 256
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_PORT = re.compile(r"(:[0-9]{0,5})?")
_NAME_CHARS_MAX = 253
_REFUSAL = ("the Host header is missing, repeated, or names a host this server does not answer for "
            "(a name it answers for is listed in its allowed_hosts)")


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IPv4 literal in dotted quads, or an IPv6 one in brackets (the Host spelling); a zone id is refused."""
    try:
        if text.startswith("[") and text.endswith("]") and "%" not in text:
            return ipaddress.IPv6Address(text[1:-1])
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def _is_name(text: str) -> bool:
    return len(text) <= _NAME_CHARS_MAX and all(_LABEL.fullmatch(label) for label in text.split("."))


def _canonical(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    return f"[{ip}]" if ip.version == 6 else str(ip)


def allowed_host_refusal(entry: str) -> str | None:
    """Why ``entry`` cannot be an ``allowed_hosts`` entry (a DNS name or an IP address, no port, no wildcard)."""
    text = entry.lower().removesuffix(".")
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(bare)
        return None if bare == text or ":" in bare else f"allowed_hosts entry {entry!r}: brackets are for IPv6 only"
    except ValueError:
        pass
    if text.isascii() and _is_name(text):
        return None
    return (f"allowed_hosts entry {entry!r} is not a DNS name (letters, digits, hyphens; no port, no wildcard) "
            "nor an IP address")


def _entry_key(entry: str) -> str:
    text = entry.lower().removesuffix(".")
    bare = text[1:-1] if text.startswith("[") else text
    try:
        return _canonical(ipaddress.ip_address(bare))
    except ValueError:
        return text


def _is_loopback_bind(bind_host: str) -> bool:
    try:
        return ipaddress.ip_address(bind_host).is_loopback
    except ValueError:
        return bind_host.lower().removesuffix(".") == "localhost"


class HostCheck:
    def __init__(self, app: ASGIApp, bind_host: str, allowed_hosts: Sequence[str] = ()) -> None:
        if len(allowed_hosts) > ALLOWED_HOSTS_MAX:
            raise ValueError(f"allowed_hosts lists at most {ALLOWED_HOSTS_MAX} names")
        for entry in allowed_hosts:
            if (reason := allowed_host_refusal(entry)) is not None:
                raise ValueError(reason)
        self.app = app
        self.loopback_only = _is_loopback_bind(bind_host)
        self.names = frozenset({"localhost", *map(_entry_key, allowed_hosts)})
        bind_name = bind_host.lower().removesuffix(".")
        if not self.loopback_only and bind_name.isascii() and _is_name(bind_name):
            self.names |= {bind_name}
        self._verdicts: dict[bytes, bool] = {}

    def admits(self, value: bytes) -> bool:
        """Whether one Host header value names this server."""
        verdict = self._verdicts.get(value)
        if verdict is None:
            if len(self._verdicts) >= VERDICTS_KEPT:
                self._verdicts.clear()
            verdict = self._verdicts[value] = self._judged(value)
        return verdict

    def _judged(self, value: bytes) -> bool:
        if not value.isascii():
            return False
        text = value.decode("ascii").lower()
        split = text.rfind(":") if not text.startswith("[") else text.find("]") + 1
        name, port = (text[:split], text[split:]) if split > 0 else (text, "")
        if not _PORT.fullmatch(port):
            return False
        name = name.removesuffix(".")
        ip = _ip(name)
        if ip is None:
            return name in self.names
        return ip.is_loopback or not self.loopback_only or _canonical(ip) in self.names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        if len(hosts) == 1 and self.admits(hosts[0]):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":  # before the handshake is accepted: the server answers 403
            await send({"type": "websocket.close", "code": 1008})
            return
        # here, not at the top: peer.json's checks import this module, and FastAPI takes seconds to load
        from inzira.api.problems import PROBLEM_MEDIA_TYPE, Problem, problem_bytes

        body = problem_bytes(Problem(400, ApiCode.HOST_REFUSED, _REFUSAL), scope["path"])
        headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})
