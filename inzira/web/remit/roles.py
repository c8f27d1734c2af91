"""The four kinds of people the remittance pages serve, and which network members may act as each.

A page role is not a ledger role: a sending FSP's agents and its compliance officer are both people of a
sending FSP, but only the officer clears held transfers (the API gives the officer a token of its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from inzira.api.visibility import SEES_ALL_ROLES


class PageRole(StrEnum):
    AGENT = "agent"
    RECEIVING = "receiving"
    OFFICER = "officer"
    REGULATOR = "regulator"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def home(self) -> str:
        return _HOMES[self]


_LABELS = {PageRole.AGENT: "sending agent", PageRole.RECEIVING: "receiving FSP",
           PageRole.OFFICER: "compliance officer", PageRole.REGULATOR: "regulator"}
_HOMES = {PageRole.AGENT: "/remit/send", PageRole.RECEIVING: "/remit/incoming",
          PageRole.OFFICER: "/remit/compliance", PageRole.REGULATOR: "/remit/regulator"}


# The ledger roles of which a member needs one to act in each page role.
LEDGER_ROLES: dict[PageRole, frozenset[str]] = {
    PageRole.AGENT: frozenset({"sending_fsp"}), PageRole.OFFICER: frozenset({"sending_fsp"}),
    PageRole.RECEIVING: frozenset({"receiving_fsp"}), PageRole.REGULATOR: SEES_ALL_ROLES}


def qualifies(role: PageRole, ledger_roles: Iterable[str]) -> bool:
    """Whether a member with these ledger roles may act in this page role."""
    return not LEDGER_ROLES[role].isdisjoint(ledger_roles)


def token_role(ledger_roles: Iterable[str]) -> PageRole | None:
    """The page a member's own API token opens (never the officer's: that takes the officer token)."""
    held = list(ledger_roles)
    for role in (PageRole.AGENT, PageRole.RECEIVING, PageRole.REGULATOR):
        if qualifies(role, held):
            return role
    return None
