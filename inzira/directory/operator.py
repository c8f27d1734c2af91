"""The directory operator's service: look-ups, signed registration requests, disputes, the audit log.

It holds the phone-number hash key (``directory.key`` in its own folder, 0600) and its own member key, and
nothing of any other member. Every number the chain lists went through here: the FSP signed the request,
the FSP's account-holder API confirmed the wallet, and the operator signed ``SetParty``. A number already
listed for another FSP is never taken over by a request: it becomes a dispute the regulator decides.

Registrations and decisions are serialised (one at a time, on the loop that serves the API), so two claims
on one number cannot both see it free.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from inzira.api.codes import ApiCode
from inzira.api.tokens import TokenBook
from inzira.directory.codes import DirectoryCode, DirectoryError
from inzira.directory.limiter import AllowanceLimiter
from inzira.directory.settings import DirectorySettings
from inzira.directory.store import DB_FILE, KEPT, MOVED, OPEN, Dispute, DirectoryStore, RegistrationRow
from inzira.durable_files import make_folder
from inzira.directory.wire import RegistrationRequest, request_digest, signature_valid
from inzira.ledger.admin import DIRECTORY_OPERATOR_ROLE, DIRECTORY_ROLES
from inzira.ledger.codes import Code, describe
from inzira.ledger.records import Member
from inzira.ledger.tx import SetParty
from inzira.node.custody import MemberPort
from inzira.node.signer import wall_clock_ms
from inzira.remit import ledger_io
from inzira.remit.payout import PayoutError, adapter_from_config
from inzira.remit.phone import E164, PhoneNumberError, directory_hash, mask_number, parse_payout_phone
from inzira.remit.secrets_files import secret_key

KEY_FILE = "directory.key"
PARSED_NUMBERS_MAX = 10_000
# A 401 names how to authenticate: this request is signed by the member's key (docs/directory.md), not a token.
SIGNATURE_CHALLENGE = {"WWW-Authenticate": 'InziraSignature realm="inzira-directory"'}


@functools.lru_cache(maxsize=PARSED_NUMBERS_MAX)  # parsing costs more than the rest of a look-up
def parse_number(text: str) -> E164:
    try:
        return parse_payout_phone(text)
    except PhoneNumberError as exc:
        raise DirectoryError(400, Code.VALIDATION, str(exc)) from None


class DirectoryOperator:
    def __init__(self, port: MemberPort, folder: Path, settings: DirectorySettings | None = None,
                 tokens: Mapping[str, str] | None = None, clock_ms: Callable[[], int] = wall_clock_ms) -> None:
        """``port``: the operator's own (a member holding the directory_operator role). ``tokens``: API token ->
        member, the callers of this operator's API."""
        record = port.node.state.members.get(port.member)
        if record is None or DIRECTORY_OPERATOR_ROLE not in record.roles:
            raise ValueError(f"{port.member} does not hold the {DIRECTORY_OPERATOR_ROLE} role")
        self.runtime = port  # submits and signs as the operator, and as nobody else
        self.node = port.node
        self.settings = settings = settings or DirectorySettings()
        self.clock_ms = clock_ms
        self.member = port.member
        self._signer = port
        make_folder(folder, 0o700)
        folder.chmod(0o700)  # the key and the audit log (phone numbers) are the operator's alone
        self._key = secret_key(folder / KEY_FILE)
        self.store = DirectoryStore(folder / DB_FILE, settings.audit_rows_max)
        self.limiter = AllowanceLimiter(settings.allowance, clock_ms)
        self.registration_limiter = AllowanceLimiter(settings.registration_allowance, clock_ms)
        self.tokens = TokenBook(tokens or {})
        self._deciding = asyncio.Lock()

    def close(self) -> None:
        self.store.close()

    def party_hash(self, e164: E164) -> bytes:
        return directory_hash(e164, self._key)

    def roles_of(self, member: str) -> frozenset[str] | None:
        record = self.node.state.members.get(member)
        return None if record is None else frozenset(record.roles)

    # --- look-ups ---

    def lookup(self, member: str, text: str) -> dict[str, str]:
        """The FSP serving the number, for ``member``: counted against its allowance and written to the audit log."""
        wait_s = self.limiter.take(member)
        if wait_s:
            per_day = self.settings.allowance(member).per_day
            raise DirectoryError(429, DirectoryCode.RATE_LIMITED,
                                 f"{member} has used its look-ups ({per_day} a day, sized to its declared volume); "
                                 f"retry in {wait_s} s", {"Retry-After": str(wait_s)})
        e164 = parse_number(text)
        fsp = self.node.state.parties.get(self.party_hash(e164))
        self.store.audit(self.clock_ms(), member, e164, fsp or "")
        if fsp is None:
            raise DirectoryError(404, Code.PARTY_NOT_FOUND, f"no FSP in the directory serves {e164}")
        return {"msisdn": e164, "fsp_id": fsp}

    # --- registration requests ---

    async def register(self, request: RegistrationRequest, signature_hex: str) -> tuple[int, dict[str, Any]]:
        """(HTTP status, answer) for a signed request to list or unlist a number: 200 done, 202 disputed."""
        member = self.node.state.members.get(request.member)
        if member is None or not signature_valid(request, signature_hex, member.keys):
            raise DirectoryError(401, Code.BAD_SIGNATURE, "the request is not signed by a key of the member it names",
                                 SIGNATURE_CHALLENGE)
        now_ms = self.clock_ms()
        if abs(now_ms - request.signed_at_ms) > self.settings.request_skew_ms:
            raise DirectoryError(401, DirectoryCode.REQUEST_EXPIRED,
                                 f"the request was signed at {request.signed_at_ms}, more than "
                                 f"{self.settings.request_skew_ms} ms from the operator's clock ({now_ms}): "
                                 "sign it anew",
                                 SIGNATURE_CHALLENGE)
        digest = request_digest(request)
        seen = self._answered(request, digest)
        if seen is not None:  # the answer again: nothing new is asked, decided or learnt
            return seen
        wait_s = self.registration_limiter.take(member.id)
        if wait_s:  # counted, not logged: a log row per refusal would let an FSP flood the log for free
            granted = self.settings.registration_allowance(member.id)
            raise DirectoryError(429, DirectoryCode.RATE_LIMITED,
                                 f"{member.id} has used its registration requests ({granted.per_day} a day, "
                                 f"{granted.burst} at once); retry in {wait_s} s", {"Retry-After": str(wait_s)})
        try:
            status, answer = await self._register(request, member, digest, now_ms)
        except DirectoryError as exc:
            self._audit_registration(request, exc.status, exc.code, "REFUSED")
            raise
        self._audit_registration(request, status, 0, answer["state"])
        return status, answer

    def _audit_registration(self, request: RegistrationRequest, status: int, code: int, outcome: str) -> None:
        """A row in the registrations log the regulator reads: who asked, for which number (its keyed hash and
        a masked form, never the number itself), and the answer."""
        try:
            e164 = parse_number(request.msisdn)
        except DirectoryError:
            party, masked = b"", ""
        else:
            party, masked = self.party_hash(e164), mask_number(e164)
        self.store.audit_registration(RegistrationRow(self.clock_ms(), request.member, party, masked, request.active,
                                                      request.request_id, status, code, outcome))

    async def _register(self, request: RegistrationRequest, member: Member, digest: bytes,
                        now_ms: int) -> tuple[int, dict[str, Any]]:
        e164 = parse_number(request.msisdn)
        party = self.party_hash(e164)
        holder_confirms: bool | None = None
        if request.active:
            if not DIRECTORY_ROLES & set(member.roles):
                raise DirectoryError(403, Code.PERMISSION, f"{member.id} serves no wallets: it cannot list numbers")
            self._refuse_past_disputes_max(member.id)  # before asking any account-holder API about the number
            await self._confirm(member.id, e164)
            listed = self.node.state.parties.get(party)
            if listed is not None and listed != member.id:
                holder_confirms = await self._holder_confirms(listed, e164)
        async with self._deciding:
            seen = self._answered(request, digest)  # the same request may have been decided meanwhile
            if seen is not None:
                return seen
            status, answer = await self._decide(request, e164, party, holder_confirms)
            self.store.keep_answer(member.id, request.request_id, digest, request.signed_at_ms, status, answer,
                                   now_ms - 2 * self.settings.request_skew_ms)
        return status, answer

    def _answered(self, request: RegistrationRequest, digest: bytes) -> tuple[int, dict[str, Any]] | None:
        seen = self.store.answer(request.member, request.request_id)
        if seen is None:
            return None
        if seen[0] != digest:
            raise DirectoryError(409, Code.MODIFIED_REQUEST,
                                 f"request id {request.request_id} was used for another request")
        return seen[1], seen[2]

    async def _decide(self, request: RegistrationRequest, e164: E164, party: bytes,
                      holder_confirms: bool | None) -> tuple[int, dict[str, Any]]:
        fsp = request.member
        listed = self.node.state.parties.get(party)
        answer: dict[str, Any] = {"msisdn": e164, "fsp_id": fsp, "request_id": request.request_id}
        if not request.active:
            if listed != fsp:
                raise DirectoryError(404, Code.PARTY_NOT_FOUND, f"{e164} is not listed for {fsp}")
            tx_id = await self._sign(SetParty(party, False, fsp))
            return 200, {**answer, "state": "UNLISTED", "listed": False, "tx_id": tx_id}
        self._refuse_past_disputes_max(fsp)  # again under the lock: two claims may have passed the first check
        if listed == fsp:
            return 200, {**answer, "state": "LISTED", "listed": True, "tx_id": ""}
        if listed is None:
            tx_id = await self._sign(SetParty(party, True, fsp))
            return 200, {**answer, "state": "LISTED", "listed": True, "tx_id": tx_id}
        dispute = self.store.open_dispute(Dispute(str(uuid.uuid4()), party, e164, fsp, listed, holder_confirms,
                                                  request.request_id, self.clock_ms(), OPEN))
        return 202, {**answer, "state": "DISPUTED", "listed": False, "dispute_id": dispute.dispute_id,
                     "detail": f"{e164} is listed for another FSP: the regulator decides who serves it"}

    def _refuse_past_disputes_max(self, fsp: str) -> None:
        """An FSP at its cap of open disputes lists nothing until the regulator decides some: refusing only the
        claims on numbers listed elsewhere would tell it, with no dispute and no audit row, which numbers are."""
        if self.store.open_disputes_of(fsp) >= self.settings.disputes_open_max:
            raise DirectoryError(409, DirectoryCode.DISPUTES_FULL,
                                 f"{fsp} has {self.settings.disputes_open_max} open disputes: it lists no number "
                                 "until the regulator decides some")

    async def _confirm(self, fsp: str, e164: E164) -> None:
        """That the FSP's account-holder API knows an active wallet at the number; else a refusal."""
        config = self.settings.account_holder_apis.get(fsp)
        if config is None:
            raise DirectoryError(403, Code.PERMISSION,
                                 f"the directory operator has no account-holder API of {fsp}: "
                                 "it cannot confirm wallets")
        try:
            async with adapter_from_config(config) as adapter:
                holder = await adapter.lookup(e164)
        except PayoutError as exc:
            raise DirectoryError(503, DirectoryCode.ACCOUNT_HOLDER_UNAVAILABLE,
                                 f"{fsp}'s account-holder API did not answer: {exc}") from None
        if holder is None:
            raise DirectoryError(404, Code.PARTY_NOT_FOUND, f"{fsp} holds no wallet at {e164}")
        if not holder.active:
            raise DirectoryError(422, DirectoryCode.WALLET_INACTIVE, f"the wallet at {e164} cannot receive money")

    async def _holder_confirms(self, fsp: str, e164: E164) -> bool | None:
        """What the listed FSP's account-holder API says of the number: evidence for the regulator."""
        config = self.settings.account_holder_apis.get(fsp)
        if config is None:
            return None
        try:
            async with adapter_from_config(config) as adapter:
                holder = await adapter.lookup(e164)
        except PayoutError:
            return None
        return holder is not None and holder.active

    async def _sign(self, op: SetParty) -> str:
        raw = self._signer.sign(op)
        outcome = await ledger_io.submit(self.runtime, raw, self.settings.submit_timeout_ms / 1000)
        if outcome is None:
            raise DirectoryError(503, ApiCode.UNAVAILABLE, "the ledger did not answer: try again")
        if outcome.code != Code.OK:
            raise DirectoryError(422, outcome.code, f"the ledger refused the listing: {describe(outcome.code)}")
        return outcome.tx_id.hex()

    # --- disputes (the regulator decides) ---

    async def resolve(self, dispute_id: str, outcome: str, regulator: str) -> Dispute:
        """``keep``: the number stays with its FSP. ``move``: the operator lists it for the claimant."""
        async with self._deciding:
            dispute = self.store.dispute(dispute_id)
            if dispute is None:
                raise DirectoryError(404, DirectoryCode.DISPUTE_NOT_FOUND, f"there is no dispute {dispute_id}")
            if dispute.state != OPEN:
                raise DirectoryError(409, DirectoryCode.DISPUTE_CLOSED,
                                     f"dispute {dispute_id} was decided already: {dispute.state}")
            tx_id = ""
            listed = self.node.state.parties.get(dispute.party)
            if outcome == "move" and listed not in (dispute.holder, dispute.claimant, None):
                # The holder let it go and another FSP listed it since: the regulator heard neither that FSP nor
                # its wallet, so moving would take the number from it silently.
                raise DirectoryError(409, DirectoryCode.DISPUTE_OUTDATED,
                                     f"{dispute.msisdn} is listed for {listed} now, not for {dispute.holder} as when "
                                     f"{dispute.claimant} claimed it: keep closes this dispute, and a new claim "
                                     f"by {dispute.claimant} opens one against {listed}")
            if outcome == "move" and listed != dispute.claimant:
                tx_id = await self._sign(SetParty(dispute.party, True, dispute.claimant))
            self.store.resolve(dispute_id, MOVED if outcome == "move" else KEPT, regulator, self.clock_ms(), tx_id)
        resolved = self.store.dispute(dispute_id)
        if resolved is None:
            raise RuntimeError(f"dispute {dispute_id} vanished while being resolved")
        return resolved


def operator_member(members: Iterable[Member]) -> str:
    """The one member holding the directory_operator role (a composition root gives it its port)."""
    holders = [m.id for m in members if DIRECTORY_OPERATOR_ROLE in m.roles]
    if len(holders) != 1:
        raise ValueError(f"name the directory operator: members holding the role are {sorted(holders)}")
    return holders[0]
