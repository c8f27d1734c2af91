"""Start the simulator on a loopback port for the length of a ``with`` block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from inzira.sim.momo.admin_client import MomoSimAdmin
from inzira.sim.momo.app import create_app
from inzira.sim.momo.config import MomoSimConfig
from inzira.sim.server import LOOPBACK, serve_app


@dataclass(frozen=True, slots=True)
class RunningMomoSim:
    base_url: str
    config: MomoSimConfig
    admin: MomoSimAdmin

    def adapter_config(self, **overrides: Any) -> dict[str, Any]:
        """The payout adapter configuration that reaches this simulator with its credentials."""
        return {
            "kind": "momo-http",
            "base_url": self.base_url,
            "subscription_key": self.config.subscription_key,
            "api_user": self.config.api_user,
            "api_key": self.config.api_key,
            "target_environment": self.config.target_environment,
            **overrides,
        }


@contextmanager
def serve(
    config: MomoSimConfig | None = None, *, host: str = LOOPBACK, port: int = 0, start_timeout_ms: int = 5_000,
    allowed_hosts: tuple[str, ...] = ()
) -> Iterator[RunningMomoSim]:
    config = config or MomoSimConfig()
    with serve_app(create_app(config), host=host, port=port, start_timeout_ms=start_timeout_ms,
                   allowed_hosts=allowed_hosts) as served:
        admin = MomoSimAdmin(served.base_url, config.admin_token)
        try:
            yield RunningMomoSim(served.base_url, config, admin)
        finally:
            admin.close()
