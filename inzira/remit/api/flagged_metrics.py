"""``inzira_remit_payouts_flagged{fsp, status}``: the flagged payouts of each receiving FSP this service pays out
for (``inzira.remit.store.flagged``), read from the payout book at each scrape, 0 for an FSP with none, so an
alert on ``status="SUCCESSFUL"`` above 0 says money is to be recovered off-ledger."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from inzira.remit.service import RemitService
from inzira.remit.store.flagged import FLAGGED_STATUSES, FlaggedPayouts

NAME = "inzira_remit_payouts_flagged"
HELP = "Payouts flagged (SUCCESSFUL: paid, not paid back; FAILED: refused by the operator)"


class FlaggedPayoutsCollector(Collector):
    def __init__(self, service: RemitService) -> None:
        self.service = service

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(NAME, HELP, labels=["fsp", "status"])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        found = {(fsp, status): n for fsp, status, n in FlaggedPayouts(self.service.db).counts()}
        for fsp in self.service.agents:
            for status in FLAGGED_STATUSES:
                found.setdefault((fsp, status), 0)
        family = GaugeMetricFamily(NAME, HELP, labels=["fsp", "status"])
        for (fsp, status), count in sorted(found.items()):
            family.add_metric([fsp, status], count)
        yield family


def export_flagged(registry: CollectorRegistry, service: RemitService) -> None:
    registry.register(FlaggedPayoutsCollector(service))
