"""Checking a server's --host and --port before anything starts: a clear refusal naming the option and value,
rather than a resolver's or a socket's message after the data folder has been set up."""

from __future__ import annotations

import errno
import ipaddress
import socket

from inzira.cli.common import fail

_DOTTED = frozenset("0123456789.")


def check_host(host: str, option: str = "--host") -> None:
    """The servers listen on IPv4 (``inzira.api.server``): an IPv4 address, or a name that resolves to one.
    ``option``: where the value came from, as the messages name it."""
    if not host:
        fail(f"{option} is empty: give an IPv4 address such as 127.0.0.1 (this machine only) or 0.0.0.0 (everywhere)")
    if set(host) <= _DOTTED:
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            fail(f"{option} {host} is not an IPv4 address (four numbers from 0 to 255, such as 127.0.0.1)")
        return
    if ":" in host:
        fail(f"{option} {host}: IPv6 addresses are not supported; give an IPv4 address such as 127.0.0.1 or 0.0.0.0")
    try:
        socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        fail(f"{option} {host} is neither an IPv4 address nor a name this machine resolves to one")


def check_allowed_hosts(entries: list[str], option: str = "--allowed-host") -> None:
    """Each name a server answers for besides its defaults (``inzira.api.host_check``) is one it can use."""
    from inzira.api.host_check import ALLOWED_HOSTS_MAX, allowed_host_refusal

    if len(entries) > ALLOWED_HOSTS_MAX:
        fail(f"at most {ALLOWED_HOSTS_MAX} {option} options")
    for entry in entries:
        if (reason := allowed_host_refusal(entry)) is not None:
            fail(f"{option}: {reason}")


def check_listen(host: str, port: int, option: str = "--host") -> None:
    """``host`` is valid and ``host:port`` can be listened on now (bound as the server binds, then released)."""
    check_host(host, option)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"{host}:{port} is in use: stop what listens there, or choose another --port (0 picks a free one)")
            if exc.errno == errno.EADDRNOTAVAIL:
                fail(f"{option} {host} is not an address of this machine: give one of its addresses, 127.0.0.1 "
                     "(this machine only) or 0.0.0.0 (everywhere)")
            if exc.errno == errno.EACCES:
                fail(f"--port {port} needs privileges on this machine: choose a port above 1023")
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
