"""Webhook targets that a caller supplies: only public addresses, unless the operator allow-lists a network.

A member registers a URL and the service then POSTs to it, retrying: without a check, any member could make
the service reach what only the operator's network reaches (loopback, private ranges, link-local and the
cloud metadata address 169.254.169.254). The host is resolved and every address it resolves to must be
public (``ipaddress``'s ``is_global``), or inside a network the operator allow-listed in the service's
settings (a test's receiver on 127.0.0.1, a partner on a private link). The check runs when the URL is
registered and again at every delivery, which then connects to the address it checked, so a name that
resolves differently later (DNS rebinding) cannot slip through. Endpoints the operator configures itself
(not caller-supplied) do not pass through here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

URL_CHARS_MAX = 2_048
ADDRESSES_MAX = 16  # of one host name: more is not a webhook receiver
RESOLVE_TIMEOUT_S = 5.0

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]


class TargetRefused(ValueError):
    """Why a webhook URL may not be used."""


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    host: str  # as written in the URL (the Host header, and the TLS server name)
    address: str  # the checked address to connect to


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


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
        if len(url) > URL_CHARS_MAX or parts.scheme not in ("http", "https") or not host or not port:
            raise TargetRefused(f"a webhook URL is an http(s) URL of at most {URL_CHARS_MAX} characters")
        try:
            names = [host] if _is_literal(host) else await asyncio.wait_for(self.resolver(host, port),
                                                                            RESOLVE_TIMEOUT_S)
            addresses = [ipaddress.ip_address(name.partition("%")[0]) for name in names[:ADDRESSES_MAX]]
        except (OSError, ValueError, UnicodeError, TimeoutError):
            raise TargetRefused(f"the webhook host {host} does not resolve") from None
        if not addresses:
            raise TargetRefused(f"the webhook host {host} does not resolve")
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
