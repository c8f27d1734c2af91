"""A receiving FSP this service does not act for, reached at its own deployment (``inzira.remit.api.fsp``).

Beside ``ReceivingFsp`` (an FSP this service holds the port of), for the sending side: the same wallet
look-up, and the quote's hashlock, which that FSP's deployment sets with its own secret and keeps with the
quote's terms. It holds nothing of that FSP's: each request is signed with this service's sending FSP's own
key (``MemberPort.sign_request``), and the payout and commit happen over there, when the reservation appears
in a block; this side learns the outcome from the chain, as for any transfer.
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import msgspec

from inzira.decoding import decode_json
from inzira.http import AsyncHttpClient, HttpProblem
from inzira.ledger.codes import Code
from inzira.node.custody import MemberPort
from inzira.money import AMOUNT_MINOR_MAX
from inzira.remit.fsp_wire import PartyAnswer, PayeeQuoteAnswer, PayeeQuoteBody, shown_as_is
from inzira.remit.payout import AccountHolder, Hashlock, PayoutRefusedError, PayoutUnavailableError
from inzira.remit.records import Reason
from inzira.remit.settings import PAYOUT_CURRENCY, RemitSettings
from inzira.remit.wallet_cache import WalletCache

TIMEOUT_MS = 10_000
ANSWER_BYTES_MAX = 64 * 1024
CONDITION_BYTES = 32


class RemoteReceivingFsp:
    def __init__(self, fsp: str, base_url: str, port: MemberPort, settings: RemitSettings,
                 clock_ms: Callable[[], int]) -> None:
        """``port``: the sending FSP this service acts for, which signs every request."""
        self.fsp = fsp
        self.port = port
        self.clock_ms = clock_ms
        self._path = urlsplit(base_url).path.rstrip("/")  # what the other side's server sees, and checks
        self._http = AsyncHttpClient(base_url, timeout_ms=TIMEOUT_MS, answer_bytes_max=ANSWER_BYTES_MAX)
        self.cache = WalletCache(settings.lookup_cache_ttl_ms, settings.lookup_cache_entries_max)
        self._reasons: OrderedDict[str, tuple[Reason, ...]] = OrderedDict()  # at most the cache's entries

    async def _call(self, method: str, path: str, body: bytes = b"") -> bytes:
        full = f"{self._path}/v1/fsp/{self.fsp}{path}"
        headers = self.port.sign_request(method, full, body)
        if body:
            headers["Content-Type"] = "application/json"
        try:
            answer = await self._http.send(method, full, content=body or None, headers=headers)
        except HttpProblem as exc:
            raise PayoutUnavailableError(f"{self.fsp}'s deployment did not answer: {exc.detail}") from None
        if answer.is_success:
            return answer.content
        try:
            answer.checked(f"{self.fsp}'s deployment")
        except HttpProblem as exc:
            if exc.status in (404, 409, 422):  # its refusal of this number or these terms
                raise PayoutRefusedError(str(exc.code), exc.detail) from None
            raise PayoutUnavailableError(f"{self.fsp}'s deployment refused: {exc.detail} ({exc.code})") from None
        raise PayoutUnavailableError(f"{self.fsp}'s deployment answered {answer.status}")

    async def lookup(self, e164: str) -> AccountHolder | None:
        """The wallet at ``e164`` as the receiving FSP confirms it: its holder's masked name (never the name)."""
        now_ms = self.clock_ms()
        hit, holder = self.cache.get(e164, now_ms)
        if hit:
            return holder
        try:
            found = decode_json(await self._call("GET", f"/parties/MSISDN/{e164}"), PartyAnswer)
        except PayoutRefusedError as exc:
            if exc.code != str(int(Code.PARTY_NOT_FOUND)):
                raise PayoutUnavailableError(f"{self.fsp}'s deployment refused the look-up: {exc.description}") \
                    from None
            self.cache.put(e164, None, now_ms)
            return None
        except msgspec.DecodeError as exc:
            raise PayoutUnavailableError(f"{self.fsp}'s deployment answered a look-up out of shape: {exc}") from None
        reasons = tuple(r.reason() for r in found.holder_reasons)
        if not shown_as_is(found.masked_name) or None in reasons:
            raise PayoutUnavailableError(f"{self.fsp}'s deployment answered a look-up out of shape: a masked name "
                                         "or a screening reason with control or format characters")
        if found.msisdn != e164 or found.fsp_id != self.fsp:
            raise PayoutUnavailableError(f"{self.fsp}'s deployment answered about another wallet")
        holder = AccountHolder(e164, found.masked_name, found.active)
        self.cache.put(e164, holder, now_ms)
        self._reasons[e164] = tuple(r for r in reasons if r is not None)
        self._reasons.move_to_end(e164)
        while len(self._reasons) > self.cache.entries_max:
            self._reasons.popitem(last=False)
        return holder

    def holder_reasons(self, e164: str) -> tuple[Reason, ...]:
        """The receiving FSP's screening of the holder's name at its last look-up of ``e164``."""
        return self._reasons.get(e164, ())

    async def hashlock(self, quote_id: str, msisdn: str, amount_minor: int, receive: bool, sender: str,
                       expires_at_ms: int, fee_minor: int, *, names: tuple[str, str]) -> Hashlock:
        """The receiving FSP's agreement to the quote's terms, as the hashlock the transfer is locked with:
        its condition and what the wallet receives (its operator's fee, if any, beyond ``fee_minor``). Asked as
        ``sender``, the one sending FSP this service acts for (its port signs); ``names``, the originator's and
        the receiver's, travel with the terms (FATF R.16), and the receiving FSP screens the originator's."""
        body = PayeeQuoteBody(quote_id=quote_id, msisdn=msisdn, amount_type="RECEIVE" if receive else "SEND",
                              amount_received_minor=amount_minor, receiving_fee_minor=fee_minor,
                              currency=PAYOUT_CURRENCY, expires_at_ms=expires_at_ms, sender_name=names[0],
                              receiver_name=names[1])
        raw = await self._call("POST", "/quotes", body.model_dump_json().encode())
        try:
            answer = decode_json(raw, PayeeQuoteAnswer)
            condition = base64.urlsafe_b64decode(answer.condition + "=" * (-len(answer.condition) % 4))
        except (msgspec.DecodeError, binascii.Error, ValueError) as exc:
            raise PayoutUnavailableError(f"{self.fsp}'s deployment answered a quote out of shape: {exc}") from None
        extra_fee = answer.receiving_fee_minor - fee_minor
        received = amount_minor if receive else amount_minor - extra_fee  # an operator's fee: on top, or out of it
        if (answer.quote_id != quote_id or answer.currency != PAYOUT_CURRENCY or len(condition) != CONDITION_BYTES
                or extra_fee < 0 or answer.amount_received_minor != received or received <= 0
                or not self.clock_ms() < answer.expires_at_ms <= expires_at_ms
                or answer.receiving_fee_minor > AMOUNT_MINOR_MAX - amount_minor):  # what the FX provider is asked
            raise PayoutUnavailableError(f"{self.fsp}'s deployment answered other terms than those asked")
        return Hashlock(condition, amount_minor, answer.amount_received_minor, extra_fee, answer.expires_at_ms)

    async def aclose(self) -> None:
        await self._http.aclose()


def remote_agents(settings: RemitSettings, ports: Mapping[str, MemberPort], sending: list[str],
                  clock_ms: Callable[[], int]) -> dict[str, RemoteReceivingFsp]:
    """The receiving FSPs a service reaches at their own deployments (``settings.receiving_fsp_urls``), asked
    as the one sending FSP it acts for (ValueError for a service acting for several, or for one of those FSPs)."""
    urls = settings.receiving_fsp_urls
    if not urls:
        return {}
    if len(sending) != 1:
        raise ValueError(f"receiving FSPs at other deployments are asked as one sending FSP: this service acts "
                         f"for {len(sending)}")
    ours = sorted(set(urls) & set(ports))
    if ours:
        raise ValueError(f"this service acts for {', '.join(ours)}: its wallets are confirmed here, not at a URL")
    return {fsp: RemoteReceivingFsp(fsp, url, ports[sending[0]], settings, clock_ms) for fsp, url in urls.items()}
