"""A blocking client of the simulator's admin API, for tests, demos and benchmarks that seed wallets."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
import msgspec

from inzira.sim.momo.config import Behaviour
from inzira.sim.momo.wire import FloatView, HistoryEntry, NewWallet, SimStats, WalletView

T = TypeVar("T")


class SimAdminError(RuntimeError):
    def __init__(self, status_code: int, body: str) -> None:
        super().__init__(f"simulator admin API answered {status_code}: {body}")
        self.status_code = status_code


class _History(msgspec.Struct, frozen=True):
    entries: list[HistoryEntry]


class MomoSimAdmin:
    def __init__(self, base_url: str, admin_token: str, *, timeout_ms: int = 5_000) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout_ms / 1000,
                                  headers={"Authorization": f"Bearer {admin_token}"})

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, kind: type[T], body: Any = None) -> T:
        content = None if body is None else msgspec.json.encode(body)
        response = self._http.request(method, path, content=content, headers={"Content-Type": "application/json"})
        if not response.is_success:
            raise SimAdminError(response.status_code, response.text)
        return msgspec.json.decode(response.content, type=kind)

    def create_wallet(
        self, msisdn: str, given_name: str, family_name: str, *, balance_minor: int = 0, active: bool = True
    ) -> WalletView:
        new = NewWallet(msisdn, given_name, family_name, balance_minor, active)
        return self._call("POST", "/admin/wallets", WalletView, new)

    def wallet(self, msisdn: str) -> WalletView | None:
        try:
            return self._call("GET", f"/admin/wallets/{msisdn}", WalletView)
        except SimAdminError as exc:
            if exc.status_code == 404:
                return None
            raise

    def history(self, msisdn: str, limit: int = 100) -> list[HistoryEntry]:
        return self._call("GET", f"/admin/wallets/{msisdn}/history?limit={limit}", _History).entries

    def float_minor(self) -> int:
        return self._call("GET", "/admin/float", FloatView).balance_minor

    def set_float(self, balance_minor: int) -> None:
        self._call("PUT", "/admin/float", FloatView, FloatView(balance_minor))

    def behaviour(self) -> Behaviour:
        return self._call("GET", "/admin/behaviour", Behaviour)

    def set_behaviour(self, behaviour: Behaviour) -> Behaviour:
        return self._call("PUT", "/admin/behaviour", Behaviour, behaviour)

    def stats(self) -> SimStats:
        return self._call("GET", "/admin/stats", SimStats)
