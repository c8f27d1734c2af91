"""Where a bearer token may be sent: not over plain http:// to another machine, where anyone on the path reads it.

The command line's --url options and a member deployment's links file both name the servers that get a token
(an API token, a client token an FX provider, issuer or directory operator issued); a URL is checked here before
anything is sent to it.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from typing import Optional


def clear_text_refusal(url: str) -> Optional[str]:
    """Why a bearer token must not be sent to ``url``, or None. Without its scheme ("127.0.0.1:8000") it reached
    the HTTP client and came back as "no answer (UnsupportedProtocol)"; over plain http:// the token crosses the
    network in clear, so only a loopback host (127.0.0.0/8, ::1 or ``localhost``) may be reached that way."""
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname or ""
    except ValueError:  # an unclosed "[" of an IPv6 host
        parsed, host = None, ""
    if parsed is None or parsed.scheme not in ("http", "https") or not host:
        return f"{url!r} is not an HTTP URL: write it like https://inzira.example or http://127.0.0.1:8000"
    if parsed.scheme == "https" or host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:  # a name: where it resolves is not checked, so it is not taken for loopback
        pass
    return (f"{url} is plain http:// to {host}, not this host: the token would cross the network in clear. "
            "Use the service's https:// URL (behind its TLS proxy), or http://127.0.0.1 through a tunnel")
