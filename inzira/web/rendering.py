"""Rendering pages: one Jinja2 environment (autoescape on, strict undefined), filters, security headers."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from inzira.fx.rates import RateError, parse_as_of
from inzira.money import money_text
from inzira.web.assets import STATIC_PATH

TEMPLATES_DIR = Path(__file__).parent / "templates"
# Rwanda keeps Central Africa Time all year (no daylight saving), so a fixed offset is exact.
KIGALI = timezone(timedelta(hours=2), "CAT")
HASH_PREFIX_CHARS = 12

# Everything a page needs is served from this origin: no inline script, no third party.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _moment(timestamp_ms: int, zone: timezone) -> datetime:
    return datetime.fromtimestamp(timestamp_ms / 1000, zone)


def time_utc(timestamp_ms: int) -> str:
    return _moment(timestamp_ms, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def time_kigali(timestamp_ms: int) -> str:
    return _moment(timestamp_ms, KIGALI).strftime("%Y-%m-%d %H:%M:%S CAT")


def time_iso(timestamp_ms: int) -> str:
    return _moment(timestamp_ms, timezone.utc).isoformat(timespec="milliseconds")


def rfc3339_ms(text: str) -> int | None:
    """The RFC 3339 time that starts ``text`` (the FX desk's ``rates_as_of``, "2026-12-07T08:00:00Z (demo rates)")
    in ms, to show as every other time is; None if it starts with none."""
    try:
        return parse_as_of(text.split(" ", 1)[0])
    except RateError:
        return None


def short_hash(hex_text: str) -> str:
    return hex_text[:HASH_PREFIX_CHARS] + "…" if len(hex_text) > HASH_PREFIX_CHARS else hex_text


def kind_label(kind: str) -> str:
    """``OpenAccount`` -> ``Open account``: operation names for people."""
    words = re.findall(r"[A-Z][a-z]*", kind)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else kind


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(utc=time_utc, kigali=time_kigali, iso=time_iso, rfc3339_ms=rfc3339_ms, short=short_hash,
                       money=money_text, kind=kind_label)
    env.globals["static"] = STATIC_PATH
    return env


ENV = _environment()


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    # ``viewer``: the member signed in to its own explorer (``inzira.web.explorer_access``), and ``members_only``
    # its sign-in page, before anyone is: no other page has either.
    html = ENV.get_template(template).render({"request": request, "viewer": None, "members_only": False, **context})
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
