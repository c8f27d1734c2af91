"""Webhook targets that a caller supplies: only public addresses, unless the operator allow-lists a network.

A member registers a URL and the service then POSTs to it, retrying: without a check, any member could make
the service reach what only the operator's network reaches (loopback, private ranges, link-local and the
cloud metadata address 169.254.169.254). The host is resolved and every address it resolves to must be
public (``ipaddress``'s ``is_global``; an IPv6 address carrying an IPv4 one, IPv4-mapped, NAT64 or 6to4,
by the IPv4 address it reaches), or inside a network the operator allow-listed in the service's settings
(a test's receiver on 127.0.0.1, a partner on a private link). A URL naming credentials (``user:pass@``) is
refused: deliveries are authenticated by their signature, and a secret in a URL ends up in logs and pages.
The check runs when the URL is registered and again at every delivery, which then connects to the address it
checked, so a name that resolves differently later (DNS rebinding) cannot slip through. Hosts resolve in
threads of their own (at most ``RESOLVERS_MAX``), never in the loop's default executor, where the service's
own HTTP clients resolve the hosts they call. Endpoints the operator configures itself (not caller-supplied)
do not pass through here.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

URL_CHARS_MAX = 2_048
ADDRESSES_MAX = 16  # of one host name: more is not a webhook receiver
RESOLVE_TIMEOUT_S = 5.0
RESOLVERS_MAX = 8  # threads resolving webhook hosts at once, in all

# NAT64 (RFC 6052) translates the last 32 bits of its well-known prefix to that IPv4 address; the local-use
# prefix (RFC 8215) is the operator's own and is refused unless allow-listed.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
# What no request line can carry: control characters and spaces (one parser drops them, another refuses).
_UNSENDABLE = re.compile(r"[\x00-\x20\x7f]")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]


class TargetRefused(ValueError):
    """Why a webhook URL may not be used."""


class TargetUnresolved(TargetRefused):
    """The host did not resolve now (no answer in time, or none at all): refused at registration, retried at a
    delivery, as DNS may answer later."""


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    host: str  # as written in the URL (the Host header, and the TLS server name)
    address: str  # the checked address to connect to


# Not the loop's default executor, where the loop's HTTP clients resolve every host they call (payout operators,
# the directory, the FX desk): a member's webhook host whose DNS never answers would hold those threads.
_resolving = ThreadPoolExecutor(RESOLVERS_MAX, thread_name_prefix="webhook-resolve")


async def system_resolver(host: str, port: int) -> list[str]:
    resolve = functools.partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    infos = await asyncio.get_running_loop().run_in_executor(_resolving, resolve)
    return [str(info[4][0]) for info in infos]


def _reached(address: IpAddress) -> IpAddress:
    """The IPv4 address an IPv6 one carries and reaches (IPv4-mapped, NAT64, 6to4, IPv4-compatible), else itself."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_PREFIX or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address


def _public(address: IpAddress) -> bool:
    reached = _reached(address)
    if isinstance(reached, ipaddress.IPv6Address) and (reached.is_site_local or reached in NAT64_LOCAL):
        return False
    return reached.is_global and not reached.is_multicast


class TargetGuard:
    def __init__(self, allowed_networks: Sequence[str] = (), resolver: Resolver = system_resolver) -> None:
        """``allowed_networks``: CIDR networks the operator lets webhooks reach although they are not public."""
        self.allowed: tuple[IpNetwork, ...] = tuple(ipaddress.ip_network(n, strict=False) for n in allowed_networks)
        self.resolver = resolver

    def _allowed(self, address: IpAddress) -> bool:
        return _public(address) or any(address in network for network in self.allowed)

    async def check(self, url: str) -> Target:
        """The URL and the address to reach it at, or TargetRefused saying why not."""
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            port = 0
        host = parts.hostname or ""
        if len(url) > URL_CHARS_MAX or parts.scheme not in ("http", "https") or not host or not port \
                or parts.port == 0 or _UNSENDABLE.search(url):
            raise TargetRefused(f"a webhook URL is an http(s) URL of at most {URL_CHARS_MAX} characters, without "
                                "spaces or control characters")
        if parts.username is not None or parts.password is not None:
            raise TargetRefused("a webhook URL names no credentials (user:password@): deliveries are signed, and "
                                "a secret in a URL is logged and shown")
        try:
            names = [host] if _is_literal(host) else await asyncio.wait_for(self.resolver(host, port),
                                                                            RESOLVE_TIMEOUT_S)
            addresses = [ipaddress.ip_address(name.partition("%")[0]) for name in names[:ADDRESSES_MAX]]
        except (OSError, ValueError, UnicodeError, TimeoutError):
            raise TargetUnresolved(f"the webhook host {host} does not resolve") from None
        if not addresses:
            raise TargetUnresolved(f"the webhook host {host} does not resolve")
        refused = [str(a) for a in addresses if not self._allowed(a)]
        if refused:
            raise TargetRefused(f"the webhook host {host} is at {', '.join(refused)}: not a public address "
                                "(loopback, private, link-local and metadata addresses are refused unless the "
                                "operator allow-lists them)")
        return Target(url, host, str(addresses[0]))


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
