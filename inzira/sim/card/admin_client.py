"""A blocking client of the simulator's admin API, for tests and demos that turn its knobs."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
import msgspec

from inzira.sim.card.config import Behaviour
from inzira.sim.card.wire import SentCallback, SessionView, SimStats, WebhookTarget

T = TypeVar("T")


class CardSimAdminError(RuntimeError):
    def __init__(self, status_code: int, body: str) -> None:
        super().__init__(f"card simulator admin API answered {status_code}: {body}")
        self.status_code = status_code


class _Callbacks(msgspec.Struct, frozen=True):
    callbacks: list[SentCallback]


class CardSimAdmin:
    def __init__(self, base_url: str, admin_token: str, *, timeout_ms: int = 5_000) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout_ms / 1000, trust_env=False,
                                  headers={"Authorization": f"Bearer {admin_token}"})

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, kind: type[T], body: Any = None) -> T:
        content = None if body is None else msgspec.json.encode(body)
        response = self._http.request(method, path, content=content, headers={"Content-Type": "application/json"})
        if not response.is_success:
            raise CardSimAdminError(response.status_code, response.text)
        return msgspec.json.decode(response.content, type=kind)

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
