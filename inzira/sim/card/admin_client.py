"""A blocking client of the simulator's admin API, for tests and demos that turn its knobs."""

from __future__ import annotations

import msgspec

from inzira.sim.admin_client import SimAdminClient
from inzira.sim.card.config import Behaviour
from inzira.sim.card.wire import SentCallback, SessionView, SimStats, WebhookTarget


class _Callbacks(msgspec.Struct, frozen=True):
    callbacks: list[SentCallback]


class CardSimAdmin(SimAdminClient):
    def behaviour(self) -> Behaviour:
        return self._call("GET", "/admin/behaviour", Behaviour)

    def set_behaviour(self, behaviour: Behaviour) -> Behaviour:
        return self._call("PUT", "/admin/behaviour", Behaviour, behaviour)

    def set_webhook_url(self, url: str | None) -> None:
        self._call("PUT", "/admin/webhook", WebhookTarget, WebhookTarget(url))

    def session(self, session_id: str) -> SessionView:
        return self._call("GET", f"/admin/sessions/{session_id}", SessionView)

    def callbacks(self, limit: int = 50) -> list[SentCallback]:
        return self._call("GET", f"/admin/callbacks?limit={limit}", _Callbacks).callbacks

    def stats(self) -> SimStats:
        return self._call("GET", "/admin/stats", SimStats)
