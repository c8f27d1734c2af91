"""Top-ups paid by card: the wallet issuer's float moves only once its card acquirer confirms a payment.

1. ``request``: within the wallet's limits, a top-up is recorded (``opening``), then a payment session is
   opened at the issuer's acquirer with the top-up's id as its reference (``awaiting_card``, with the URL the
   card form posts to). Nothing moves.
2. The visitor pays on the card form, which posts to the acquirer, never to this service.
3. ``notification``: the acquirer's signed callback. The signature only starts ``confirm``; the callback's
   claims are never acted on.
4. ``confirm`` (from a callback, or ``check``: the wallet page when the visitor comes back, or anyone with
   access to the wallet when a callback is late): the acquirer is asked for the session. Only its answer
   counts, and only if it matches the record (session, reference, amount, currency). Authorized: one store
   job marks the record ``authorized`` with the acquirer's payment id (unique: a payment credits one top-up)
   and stores the credit (``TopUp`` of the same id, float -> wallet, signed by the issuer), sent once that is
   durable; any later callback or check finds the record authorized and moves nothing. Declined, timed out,
   expired: recorded, nothing moves.
5. If the ledger refuses the credit (the float ran dry meanwhile), the card payment is refunded at the acquirer
   (``refunded``); a refund that does not get through is tried again at the next callback or check.
"""

from __future__ import annotations

from concurrent.futures import Future

from inzira.api.codes import ApiCode
from inzira.http import HttpProblem
from inzira.http.closing import aclose_each
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from inzira.qr import tokens
from inzira.qr.card_acquirer import AcquirerSession, CardAcquirer
from inzira.qr.card_callback import read_callback
from inzira.qr.card_sessions import FINAL_STATUSES, mismatch
from inzira.qr.codes import QrCode
from inzira.qr.directory import Directory
from inzira.qr.ledger_port import LedgerPort
from inzira.qr.records import (
    AUTHORIZED,
    AWAITING_CARD,
    CARD_PENDING,
    FAILED,
    OPENING,
    REFUNDED,
    SUBMITTED,
    CardTopUp,
    TopUp,
    Wallet,
    columns,
    insert_sql,
    values,
)
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.settings import QrSettings
from inzira.qr.settlement import Settlement, settled
from inzira.qr.store.awaiting import write
from inzira.qr.store.reader import CARD_TOPUP, StoreReader
from inzira.qr.store.writer import StoreWriter, WriteTx
from inzira.qr.topup_limits import amount_refusal, limit_refusal
from inzira.qr.wallets import Wallets

ID_CHARS_MAX = 64
Confirmed = tuple[CardTopUp, TopUp | None]
_SET_WAITING = (f"UPDATE card_topups SET status = ?, reason = ?, card_brand = coalesce(?, card_brand), "
                f"card_last4 = coalesce(?, card_last4), updated_at_ms = ? WHERE id = ? AND status IN "
                f"('opening', 'awaiting_card', 'pending') RETURNING {columns(CardTopUp)}")


class CardTopUps:
    def __init__(self, settings: QrSettings, port: LedgerPort, writer: StoreWriter, reader: StoreReader,
                 directory: Directory, wallets: Wallets, settlement: Settlement) -> None:
        self.settings = settings
        self.port = port
        self.writer = writer
        self.reader = reader
        self.directory = directory
        self.wallets = wallets
        self.settlement = settlement
        self.acquirers = {issuer: CardAcquirer(link, settings.card_call_timeout_ms)
                          for issuer, link in settings.card_acquirers.items()}
        self.timeout_s = settings.verdict_timeout_ms / 1000
        # Credits on their way to the ledger, by top-up id: a confirm that finds one waits for its verdict too.
        self._crediting: dict[str, Future[TopUp]] = {}

    async def aclose(self) -> None:
        await aclose_each(acquirer.aclose for acquirer in self.acquirers.values())

    async def _set(self, card_id: str, status: str, reason: str | None,
                   session: AcquirerSession | None = None) -> CardTopUp | Rejected:
        """Move a record still waiting for its card payment on; a record already past that is left alone."""
        brand = last4 = None
        if session is not None and session.card is not None:
            brand, last4 = session.card.brand, session.card.last4

        def job(tx: WriteTx) -> CardTopUp:
            row = tx.execute(_SET_WAITING, (status, reason, brand, last4, self.port.now_ms(), card_id)).fetchone()
            return CardTopUp(*(row or tx.execute(CARD_TOPUP, (card_id,)).fetchone()))

        return await write(self.writer, job, self.timeout_s)

    async def request(self, wallet: Wallet, amount_minor: int, return_url: str | None) -> CardTopUp | Rejected:
        """Open a card payment for a top-up of ``wallet``; ``{topup_id}`` in ``return_url`` is replaced."""
        acquirer = self.acquirers.get(wallet.issuer)
        if acquirer is None:
            return rejected(QrCode.TOPUP_NOT_OFFERED, f"{wallet.issuer} takes no card top-ups on this service")
        too_much = amount_refusal(self.settings, amount_minor)
        if too_much is not None:
            return too_much
        float_account = self.wallets.float_account(wallet.issuer, wallet.currency)
        source = self.port.account_now(float_account)
        if source is None or source.available_minor < amount_minor:
            return rejected(Code.INSUFFICIENT_LIQUIDITY, f"{wallet.issuer}'s float {float_account} cannot fund it")
        now_ms = self.port.now_ms()
        card = CardTopUp(tokens.record_id("top"), wallet.id, wallet.currency, amount_minor, OPENING, None, None, None,
                         None, None, None, now_ms + self.settings.topup_card_ttl_ms, now_ms, now_ms)
        held = self.port.account_now(wallet.account)
        balance_minor = 0 if held is None else held.balance_minor

        def record(tx: WriteTx) -> CardTopUp | Rejected:
            refusal = limit_refusal(tx, self.settings, wallet.id, wallet.currency, amount_minor, balance_minor,
                                    self.port.now_ms())
            if refusal is None:
                tx.execute(insert_sql("card_topups", CardTopUp), values(card))
            return refusal or card

        recorded = await write(self.writer, record, self.timeout_s)
        if isinstance(recorded, Rejected):
            return recorded
        url = None if return_url is None else return_url.replace("{topup_id}", card.id)
        try:
            session = await acquirer.open_session(card.id, amount_minor, wallet.currency, url,
                                                  self.settings.topup_card_ttl_ms)
        except HttpProblem as exc:
            await self._set(card.id, FAILED, f"the card acquirer did not open the payment: {exc.detail}")
            return rejected(ApiCode.UNAVAILABLE, f"the card acquirer did not open the payment: {exc.detail}",
                            topup_id=card.id)
        wrong = mismatch(card, session)
        if wrong is not None or session.status != "open":
            why = wrong or f"the acquirer opened the payment as {session.status}"
            await self._set(card.id, FAILED, why)
            return rejected(QrCode.CARD_PAYMENT_MISMATCH, why, topup_id=card.id)

        def opened(tx: WriteTx) -> CardTopUp:
            row = tx.execute(f"UPDATE card_topups SET status = ?, session_id = ?, card_form_url = ?, "
                             f"expires_at_ms = ?, updated_at_ms = ? WHERE id = ? AND status = 'opening' "
                             f"RETURNING {columns(CardTopUp)}",
                             (AWAITING_CARD, session.id, session.card_form_url, session.expires_at_ms,
                              self.port.now_ms(), card.id)).fetchone()
            return CardTopUp(*(row or tx.execute(CARD_TOPUP, (card.id,)).fetchone()))

        return await write(self.writer, opened, self.timeout_s)

    def find(self, wallet: Wallet, topup_id: str) -> Confirmed | Rejected:
        card = self.reader.card_topup(topup_id) if len(topup_id) <= ID_CHARS_MAX else None
        if card is None or card.wallet_id != wallet.id:
            return rejected(QrCode.TOPUP_NOT_FOUND, f"no top-up {topup_id[:64]} of this wallet")
        return card, self.reader.topup(card.id)

    async def check(self, wallet: Wallet, topup_id: str) -> Confirmed | Rejected:
        found = self.find(wallet, topup_id)
        return found if isinstance(found, Rejected) else await self.confirm(wallet, found[0])

    async def notification(self, issuer: str, signature: str | None, body: bytes) -> Confirmed | Rejected:
        """A callback from ``issuer``'s acquirer: checked, then answered by asking the acquirer."""
        acquirer = self.acquirers.get(issuer)
        if acquirer is None:
            return rejected(QrCode.TOPUP_NOT_FOUND, f"{issuer} takes no card top-ups on this service")
        about = read_callback(signature, body, acquirer.link.webhook_secret, self.port.now_ms(),
                              self.settings.card_callback_tolerance_ms)
        if isinstance(about, Rejected):
            return about
        card = self.reader.card_topup(about.reference)
        wallet = None if card is None else self.directory.wallet(card.wallet_id)
        if card is None or wallet is None or wallet.issuer != issuer or card.session_id != about.session_id:
            return rejected(QrCode.TOPUP_NOT_FOUND, f"no top-up {about.reference} with session {about.session_id} "
                            f"at {issuer}")
        return await self.confirm(wallet, card)

    async def confirm(self, wallet: Wallet, card: CardTopUp) -> Confirmed | Rejected:
        """Bring the record up to what the acquirer says, moving float only for an authorized payment."""
        acquirer = self.acquirers.get(wallet.issuer)
        if acquirer is None:
            return rejected(QrCode.TOPUP_NOT_OFFERED, f"{wallet.issuer} takes no card top-ups on this service")
        if card.status == AUTHORIZED:
            return await self._credited(acquirer, card, None)
        if card.status not in (AWAITING_CARD, CARD_PENDING) or card.session_id is None:
            return card, None  # decided already, or still being opened
        try:
            session = await acquirer.session(card.session_id)
        except HttpProblem as exc:
            return rejected(ApiCode.UNAVAILABLE, f"the card acquirer did not say: {exc.detail}", topup_id=card.id)
        wrong = mismatch(card, session)
        if wrong is not None:
            return rejected(QrCode.CARD_PAYMENT_MISMATCH, wrong, topup_id=card.id)
        if session.status == "authorized":
            return await self._credit(wallet, card, session)
        final = FINAL_STATUSES.get(session.status)
        if final is not None:
            updated = await self._set(card.id, final, session.reason or session.status, session)
        elif session.status == "pending":
            updated = await self._set(card.id, CARD_PENDING, None, session)
        else:
            return card, None  # the card form is still open
        return updated if isinstance(updated, Rejected) else (updated, None)

    async def _credit(self, wallet: Wallet, card: CardTopUp, session: AcquirerSession) -> Confirmed | Rejected:
        payment_id = session.payment_id
        if payment_id is None:
            return rejected(QrCode.CARD_PAYMENT_MISMATCH, "the acquirer says authorized but names no payment",
                            topup_id=card.id)
        float_account = self.wallets.float_account(wallet.issuer, wallet.currency)
        op = Transfer((Leg(float_account, wallet.account, card.amount_minor, wallet.currency),),
                      memo=f"top-up {card.id}")
        signed = self.port.sign(wallet.issuer, op, card.id)
        topup = TopUp(card.id, wallet.id, wallet.currency, card.amount_minor, payment_id, signed.tx_id, SUBMITTED, 0,
                      0, self.port.now_ms(), None)
        brand, last4 = (session.card.brand, session.card.last4) if session.card is not None else (None, None)

        def authorize(tx: WriteTx) -> tuple[CardTopUp, "Future[TopUp] | None"] | Rejected:
            taken = tx.execute("SELECT id FROM card_topups WHERE payment_id = ? AND id != ?",
                               (payment_id, card.id)).fetchone()
            if taken is not None:
                return rejected(QrCode.CARD_PAYMENT_MISMATCH, f"payment {payment_id} credited top-up {taken[0]} "
                                "already", topup_id=card.id)
            row = tx.execute(f"UPDATE card_topups SET status = ?, payment_id = ?, card_brand = ?, card_last4 = ?, "
                             f"reason = NULL, updated_at_ms = ? WHERE id = ? AND status IN ('awaiting_card', "
                             f"'pending') RETURNING {columns(CardTopUp)}",
                             (AUTHORIZED, payment_id, brand, last4, self.port.now_ms(), card.id)).fetchone()
            if row is None:  # a callback and a check raced: the other one credits it
                return CardTopUp(*tx.execute(CARD_TOPUP, (card.id,)).fetchone()), None
            tx.execute(insert_sql("topups", TopUp, "raw_tx", "tx_expires_at_ms"),
                       (*values(topup), signed.raw, signed.expires_at_ms))
            launched = self.settlement.launch_on_commit(tx, signed, self.wallets.settle_topup(card.id))
            # Registered here, on the writer's thread, so a confirm whose job runs next finds it.
            self._crediting[card.id] = launched
            launched.add_done_callback(lambda _: self._crediting.pop(card.id, None))
            return CardTopUp(*row), launched

        authorized = await write(self.writer, authorize, self.timeout_s)
        if isinstance(authorized, Rejected):
            return authorized
        updated, launched = authorized
        return await self._credited(self.acquirers[wallet.issuer], updated, launched)

    async def _credited(self, acquirer: CardAcquirer, card: CardTopUp,
                        launched: "Future[TopUp] | None") -> Confirmed | Rejected:
        """An authorized top-up with its credit's verdict (waiting for one on its way, sent by this confirm or
        a racing one); the card payment is refunded if the ledger refused the credit."""
        launched = launched or self._crediting.get(card.id)
        verdict = None if launched is None else await settled(launched, self.timeout_s, topup_id=card.id)
        # No verdict in time (it is written when it comes) or none awaited: the books say where it stands.
        ledger = verdict if isinstance(verdict, TopUp) else self.reader.topup(card.id)
        if ledger is not None and ledger.status == FAILED:
            return await self._refund(acquirer, card, ledger)
        return card, ledger

    async def _refund(self, acquirer: CardAcquirer, card: CardTopUp, ledger: TopUp) -> Confirmed | Rejected:
        """The ledger refused the credit: give the card payment back, so the visitor is never charged for
        nothing."""
        if card.payment_id is None:
            raise RuntimeError(f"authorized top-up {card.id} has no payment id")
        try:
            session = await acquirer.refund(card.payment_id)
        except HttpProblem as exc:
            return rejected(ApiCode.UNAVAILABLE, f"the wallet was not credited (code {ledger.code}) and the card "
                            f"refund did not get through: {exc.detail}; ask again", topup_id=card.id)
        if session.status != "refunded":
            return rejected(QrCode.CARD_PAYMENT_MISMATCH, f"the acquirer answered the refund as {session.status}",
                            topup_id=card.id)
        reason = f"the ledger refused the credit (code {ledger.code}): the card payment was refunded"

        def refunded(tx: WriteTx) -> CardTopUp:
            row = tx.execute(f"UPDATE card_topups SET status = ?, reason = ?, updated_at_ms = ? WHERE id = ? AND "
                             f"status = 'authorized' RETURNING {columns(CardTopUp)}",
                             (REFUNDED, reason, self.port.now_ms(), card.id)).fetchone()
            return CardTopUp(*(row or tx.execute(CARD_TOPUP, (card.id,)).fetchone()))

        written = await write(self.writer, refunded, self.timeout_s)
        return written if isinstance(written, Rejected) else (written, ledger)

    def abandon_opening(self) -> None:
        """At start: a top-up left ``opening`` by a stop never reached its visitor, so nobody can pay it."""
        def job(tx: WriteTx) -> None:
            tx.execute("UPDATE card_topups SET status = ?, reason = ?, updated_at_ms = ? WHERE status = 'opening'",
                       (FAILED, "the service stopped while opening the card payment", self.port.now_ms()))

        self.writer.submit(job).result(self.timeout_s)
