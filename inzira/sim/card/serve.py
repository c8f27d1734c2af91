"""Start the card acquirer simulator on a loopback port for the length of a ``with`` block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from inzira.sim.card.admin_client import CardSimAdmin
from inzira.sim.card.app import create_app
from inzira.sim.card.config import CardSimConfig
from inzira.sim.server import LOOPBACK, serve_app


@dataclass(frozen=True, slots=True)
class RunningCardSim:
    base_url: str
    config: CardSimConfig
    admin: CardSimAdmin


@contextmanager
def serve(config: CardSimConfig | None = None, *, host: str = LOOPBACK, port: int = 0,
          start_timeout_ms: int = 5_000, allowed_hosts: tuple[str, ...] = ()) -> Iterator[RunningCardSim]:
    config = config or CardSimConfig()
    with serve_app(create_app(config), host=host, port=port, start_timeout_ms=start_timeout_ms,
                   allowed_hosts=allowed_hosts) as served:
        admin = CardSimAdmin(served.base_url, config.admin_token)
        try:
            yield RunningCardSim(served.base_url, config, admin)
        finally:
            admin.close()
