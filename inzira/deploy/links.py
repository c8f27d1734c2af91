"""A member deployment's links file: where this member reaches the other members' services, and the client
credentials they issued it.

    {"fx_url": ..., "fx_token": ..., "funding_urls": {"sbk": url}, "funding_token": ..., "directory_url": ...,
     "directory_token": ..., "payout": {"kind": "momo-http", ...}, "receiving_fsp_urls": {"mobimo": url},
     "wallet_currencies": ["CNY"], "rates_file": ..., "rates_max_age_s": 86400,
     "webhook_allowed_networks": ["10.20.0.0/16"]}

Each field has one JSON type, checked as the file is read: a string where a list belongs would otherwise be
taken letter by letter ("CNY" as C, N, Y), a list or number where text belongs turned into its text. The URLs
that get a token (``fx_url``, ``funding_urls``, ``directory_url``, the payout adapter's ``base_url``) are https://,
or plain http:// to this host only: over http:// to another machine the token would cross the network in clear.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inzira.fx.rate_source import RATES_AGE_MAX_MS
from inzira.json_files import read_json
from inzira.token_urls import clear_text_refusal

LINKS_FILE_BYTES_MAX = 64 * 1024
WALLET_CURRENCIES_MAX = 32
RATES_MAX_AGE_S_RANGE = (60, 7 * 24 * 3600)  # a minute to a week: past a week no reference rate means anything
WEBHOOK_NETWORKS_MAX = 64
_TEXT_FIELDS = ("fx_member", "fx_url", "fx_token", "funding_token", "directory_url", "directory_token", "rates_file")
_KNOWN = frozenset({*_TEXT_FIELDS, "funding_urls", "payout", "receiving_fsp_urls", "wallet_currencies",
                    "rates_max_age_s", "webhook_allowed_networks"})
RECEIVING_FSPS_MAX = 64


@dataclass(frozen=True)
class Links:
    """Where this member reaches the other members' services, and the credentials they issued it."""

    fx_member: str = "imari-fx"
    fx_url: str = ""
    fx_token: str = ""
    funding_urls: Mapping[str, str] = field(default_factory=dict)  # issuer -> its funding API
    funding_token: str = ""
    directory_url: str = ""  # the directory operator's API (its peer's, or its deployment's, base URL)
    directory_token: str = ""
    payout: Mapping[str, Any] | None = None  # a receiving FSP's payout adapter ({"kind": "momo-http", ...})
    # A sending FSP's way to receiving FSPs' own deployments (receiving FSP -> base URL): their wallets are
    # looked up and quoted there, and they pay out there (inzira.remit.remote_receiving)
    receiving_fsp_urls: Mapping[str, str] = field(default_factory=dict)
    wallet_currencies: tuple[str, ...] = ()  # a wallet issuer's visitor wallet currencies
    rates_file: Path | None = None  # an FX provider's reference rates (the demo table when None)
    rates_max_age_s: int = RATES_AGE_MAX_MS // 1000  # past it, the FX provider's desk quotes no more
    # Non-public networks (CIDR) this member's webhooks may reach, remittance and QR alike (inzira.notify.targets)
    webhook_allowed_networks: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> "Links":
        """From a JSON file of these fields (it holds credentials: keep it 0600); ValueError naming the field."""
        doc = read_json(path, LINKS_FILE_BYTES_MAX)
        if not isinstance(doc, dict) or not set(doc) <= _KNOWN:
            raise ValueError(f"{path}: a JSON object with some of {', '.join(sorted(_KNOWN))}")
        for name in _TEXT_FIELDS:
            if name in doc and not isinstance(doc[name], str):
                raise ValueError(f"{path}: {name} must be a string, not {_json_type(doc[name])}")
        urls = doc.get("funding_urls", {})
        if not isinstance(urls, dict) or not all(isinstance(v, str) for v in urls.values()):
            found = "an object with a URL that is not a string" if isinstance(urls, dict) else _json_type(urls)
            raise ValueError(f'{path}: funding_urls must be an object mapping issuers to URLs, such as '
                             f'{{"sbk": "http://..."}}, not {found}')
        payout = doc.get("payout")
        if payout is not None and not isinstance(payout, dict):
            raise ValueError(f"{path}: payout must be a payout adapter configuration object, not {_json_type(payout)}")
        _check_token_urls(path, doc, urls, payout or {})
        return cls(doc.get("fx_member", "imari-fx"), doc.get("fx_url", ""), doc.get("fx_token", ""), dict(urls),
                   doc.get("funding_token", ""), doc.get("directory_url", ""), doc.get("directory_token", ""),
                   payout, _fsp_urls(path, doc.get("receiving_fsp_urls", {})),
                   _currencies(path, doc.get("wallet_currencies", [])),
                   path.parent / doc["rates_file"] if doc.get("rates_file") else None,  # relative: to the links file
                   _max_age_s(path, doc.get("rates_max_age_s", RATES_AGE_MAX_MS // 1000)),
                   _networks(path, doc.get("webhook_allowed_networks", [])))


def _check_token_urls(path: Path, doc: dict[str, Any], funding_urls: dict[str, str], payout: dict[str, Any]) -> None:
    """Each URL this member sends a client token to: https://, or http:// to this host (``token_urls``). The payout
    adapter's ``base_url`` gets the operator's API key and access token."""
    named = [("fx_url", doc.get("fx_url", "")), ("directory_url", doc.get("directory_url", "")),
             *((f"funding_urls.{issuer}", url) for issuer, url in funding_urls.items()),
             ("payout.base_url", payout.get("base_url", ""))]
    for name, url in named:
        if url and not isinstance(url, str):
            raise ValueError(f"{path}: {name} must be a string, not {_json_type(url)}")
        refusal = clear_text_refusal(url) if url else None
        if refusal is not None:
            raise ValueError(f"{path}: {name}: {refusal}"[:500])


def _fsp_urls(path: Path, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f'{path}: receiving_fsp_urls must be an object mapping receiving FSPs to their deployments\' '
                         f'URLs, such as {{"mobimo": "http://..."}}, not {_json_type(value)}')
    if len(value) > RECEIVING_FSPS_MAX:
        raise ValueError(f"{path}: receiving_fsp_urls names at most {RECEIVING_FSPS_MAX} receiving FSPs")
    for fsp, url in value.items():
        if not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            raise ValueError(f"{path}: receiving_fsp_urls must map each receiving FSP to an http:// or https:// URL, "
                             f"not {fsp}: {url!r}"[:300])
    return dict(value)


def _max_age_s(path: Path, value: object) -> int:
    low, high = RATES_MAX_AGE_S_RANGE
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{path}: rates_max_age_s must be a whole number of seconds from {low} to {high}, "
                         f"not {value!r}"[:300])
    return value


def _currencies(path: Path, value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        example = f'["{value}"]' if isinstance(value, str) else '["CNY"]'
        raise ValueError(f"{path}: wallet_currencies must be a list of currency codes, such as {example}, "
                         f"not {_json_type(value)}")
    if len(value) > WALLET_CURRENCIES_MAX or not all(isinstance(c, str) for c in value):
        raise ValueError(f"{path}: wallet_currencies must be a list of at most {WALLET_CURRENCIES_MAX} currency "
                         "codes (strings)")
    return tuple(value)


def _networks(path: Path, value: object) -> tuple[str, ...]:
    """CIDR networks, checked as ``inzira demo --webhook-allow`` checks them: a typo must not start a deployment
    whose webhooks are then refused, or let them reach a network nobody meant."""
    if not isinstance(value, list):
        example = f'["{value}"]' if isinstance(value, str) else '["10.20.0.0/16"]'
        raise ValueError(f"{path}: webhook_allowed_networks must be a list of IP networks, such as {example}, "
                         f"not {_json_type(value)}"[:300])
    if len(value) > WEBHOOK_NETWORKS_MAX:
        raise ValueError(f"{path}: webhook_allowed_networks lists at most {WEBHOOK_NETWORKS_MAX} networks")
    for network in value:
        if not (isinstance(network, str) and _is_network(network)):  # ip_network(1) would be 0.0.0.1/32
            raise ValueError(f"{path}: webhook_allowed_networks must list IP networks such as 10.20.0.0/16 or "
                             f"127.0.0.1/32, not {network!r}"[:300])
    return tuple(value)


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text)
    except ValueError:
        return False
    return True


def _json_type(value: object) -> str:
    names = {str: "a string", bool: "true or false", int: "a number", float: "a number", list: "a list",
             dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)
