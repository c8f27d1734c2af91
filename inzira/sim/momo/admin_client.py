"""A blocking client of the simulator's admin API, for tests, demos and benchmarks that seed wallets."""

from __future__ import annotations

import msgspec

from inzira.http import HttpProblem
from inzira.sim.admin_client import SimAdminClient
from inzira.sim.momo.config import Behaviour
from inzira.sim.momo.wire import FloatView, HistoryEntry, NewWallet, SimStats, WalletView


class _History(msgspec.Struct, frozen=True):
    entries: list[HistoryEntry]


class MomoSimAdmin(SimAdminClient):
    def create_wallet(
        self, msisdn: str, given_name: str, family_name: str, *, balance_minor: int = 0, active: bool = True
    ) -> WalletView:
        new = NewWallet(msisdn, given_name, family_name, balance_minor, active)
        return self._call("POST", "/admin/wallets", WalletView, new)

    def wallet(self, msisdn: str) -> WalletView | None:
        try:
            return self._call("GET", f"/admin/wallets/{msisdn}", WalletView)
        except HttpProblem as exc:
            if exc.status == 404:
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
