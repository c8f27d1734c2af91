"""Payout adapters by configuration: ``{"kind": "momo-http", ...}`` -> a ready adapter.

A new kind of operator or bank is one more entry in ``KINDS``; callers never change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from inzira.remit.payout.adapter import PayoutAdapter
from inzira.remit.payout.momo_http import MomoHttpAdapter
from inzira.remit.payout.types import PayoutConfigError

AdapterFactory = Callable[[Mapping[str, Any]], PayoutAdapter]



def _mojaloop(fields: Mapping[str, Any]) -> PayoutAdapter:
    """A route through a Mojaloop hub (eKash); imported on use, as it sits above the payout package."""
    from inzira.interop.mojaloop.ekash_route import EkashRoute

    return EkashRoute.from_config(fields)


KINDS: Mapping[str, AdapterFactory] = MappingProxyType({"momo-http": MomoHttpAdapter.from_config,
                                                        "mojaloop": _mojaloop})


def adapter_from_config(config: Mapping[str, Any]) -> PayoutAdapter:
    """Build the adapter named by ``config["kind"]`` from the other fields; ``PayoutConfigError`` if wrong."""
    kind = config.get("kind")
    factory = KINDS.get(kind) if isinstance(kind, str) else None
    if factory is None:
        raise PayoutConfigError(f"payout adapter kind {kind!r} is unknown; known kinds: {sorted(KINDS)}")
    return factory({key: value for key, value in config.items() if key != "kind"})
