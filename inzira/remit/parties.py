"""Party look-up (Mojaloop's discovery): a phone number -> the receiving FSP that serves it, and the
receiver's masked name as that FSP confirms it.

The number is validated (a Rwandan mobile number, E.164) and looked up through the directory operator's API,
as the member asking (the operator counts it against that member's allowance and logs it; no member here
holds the hash key); the FSP found there confirms the wallet through its payout adapter, or, for an FSP this
service does not act for, through that FSP's own deployment (``RemoteReceivingFsp``).

A quote right after its look-up takes that look-up's answer, once (``find(..., reuse=True)``): asking the
directory again would log the same customer's one remittance twice. Any other look-up asks the operator.
Calls to the operator at once are bounded (``calls_max``): past that they wait here, where waiting is cheap,
rather than in the HTTP client's connection pool, where it is not.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from inzira.directory.client import DirectoryClient
from inzira.http import HttpProblem
from inzira.ledger.codes import Code
from inzira.node.node import Node
from inzira.remit.codes import RemitCode, RemitError, invalid
from inzira.remit.payout import PayoutError
from inzira.remit.phone import MASKED_NAME_CHARS_MAX, E164, PhoneNumberError, mask_name, parse_payout_phone
from inzira.remit.receiving import ReceivingFsp
from inzira.remit.remote_receiving import RemoteReceivingFsp
from inzira.remit.settings import PAYOUT_CURRENCY

PARSED_NUMBERS_MAX = 10_000
REUSABLE_MAX = 10_000  # look-ups kept for the quote that follows each


@dataclass(frozen=True, slots=True)
class Party:
    msisdn: E164
    fsp: str
    fsp_name: str
    masked_name: str
    currency: str = PAYOUT_CURRENCY

    def json(self) -> dict[str, str]:
        return {"msisdn": self.msisdn, "fsp_id": self.fsp, "fsp_name": self.fsp_name,
                "masked_name": self.masked_name, "currency": self.currency}


@functools.lru_cache(maxsize=PARSED_NUMBERS_MAX)  # parsing costs more than the rest of a look-up
def parse_number(text: str) -> E164:
    try:
        return parse_payout_phone(text)
    except PhoneNumberError as exc:
        raise invalid(str(exc), problem=exc.problem.value) from None


class PartyLookup:
    def __init__(self, directory: DirectoryClient, agents: dict[str, ReceivingFsp], node: Node,
                 clock_ms: Callable[[], int], reuse_ms: int, calls_max: int,
                 fallback_fsp: str | None = None, remote: Mapping[str, RemoteReceivingFsp] | None = None) -> None:
        self.directory = directory
        self.agents = agents
        self.remote = remote or {}  # receiving FSPs reached at their own deployments
        self.node = node
        self.clock_ms = clock_ms
        self.reuse_ms = reuse_ms
        self._found: OrderedDict[tuple[str, str], tuple[int, Party]] = OrderedDict()  # at most REUSABLE_MAX
        self._calls = asyncio.Semaphore(calls_max)
        self.fallback_fsp = fallback_fsp

    async def find(self, member: str, e164: E164, reuse: bool = False) -> Party:
        """The party at a validated number, as ``member`` asks (on the service's loop: the FSP's adapter and
        the directory client live there). ``reuse``: take the answer of this member's look-up of this number
        made within ``reuse_ms``, if there is one not yet taken."""
        now_ms = self.clock_ms()
        if reuse:
            kept = self._found.pop((member, e164), None)
            if kept is not None and kept[0] > now_ms:
                return kept[1]
        party = await self._ask(member, e164)
        if not reuse:
            self._found[(member, e164)] = (now_ms + self.reuse_ms, party)
            self._found.move_to_end((member, e164))
            while len(self._found) > REUSABLE_MAX:
                self._found.popitem(last=False)
        return party

    async def _ask(self, member: str, e164: E164) -> Party:
        try:
            async with self._calls:
                fsp = await self.directory.fsp_for(member, e164)
        except HttpProblem as exc:
            if exc.status in (400, 403, 429):  # the caller's own doing: a bad number, no sending role, no allowance
                raise RemitError(exc.status, exc.code, exc.detail, headers=exc.headers) from None
            raise RemitError(503, exc.code, f"the directory operator could not answer: {exc.detail}") from None
        if fsp is None and self.fallback_fsp is not None:
            fsp = self.fallback_fsp  # not an Inzira wallet: the gateway asks its hub (eKash) who serves it
        if fsp is None:
            raise RemitError(404, Code.PARTY_NOT_FOUND, f"no FSP in the directory serves {e164}")
        agent = self.agents.get(fsp) or self.remote.get(fsp)
        if agent is None:
            raise RemitError(503, RemitCode.PAYEE_UNAVAILABLE, f"{fsp} serves {e164} but confirms no wallets here")
        try:
            holder = await agent.lookup(e164)
        except PayoutError as exc:
            raise RemitError(503, RemitCode.PAYEE_UNAVAILABLE, f"{fsp} could not confirm the wallet: {exc}") from None
        if holder is None:
            raise RemitError(404, Code.PARTY_NOT_FOUND, f"{fsp} has no wallet for {e164}")
        if not holder.active:
            raise RemitError(422, RemitCode.PAYEE_BLOCKED, f"the wallet at {e164} cannot receive money")
        if len(holder.name) > MASKED_NAME_CHARS_MAX:  # the FSP's answer, not a name the check can show
            raise RemitError(503, RemitCode.PAYEE_UNAVAILABLE,
                             f"{fsp} could not confirm the wallet: it named its holder in more than "
                             f"{MASKED_NAME_CHARS_MAX} characters")
        record = self.node.state.members.get(fsp)
        return Party(e164, fsp, record.name if record else fsp, mask_name(holder.name))
