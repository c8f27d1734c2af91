"""Merchants, onboarded by an acquirer, their counter (static) QR, their bills (dynamic QRs) and the
acquirer's webhook URL.

Each merchant gets an RWF account on chain, owned and opened by its acquirer: ``<acquirer>:m-<merchant id>``.
Its QR codes carry Inzira's merchant account template (tag 26: GUID ``rw.inzira``, 01 = merchant id).

A bill is a dynamic QR: amount (54), bill number (62.01), point of initiation 12. EMVCo has no expiry tag,
so the expiry lives here, with the bill: a QR printed or photographed stays readable forever, but paying
it is refused (3340) once its bill expired, and a bill is paid at most once (3154).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from inzira.ledger.codes import Code
from inzira.ledger.tx import OpenAccount
from inzira.notify.targets import TargetGuard, TargetRefused
from inzira.qr import tokens
from inzira.qr.bill_book import BillBook
from inzira.qr.bill_limits import bill_refusal
from inzira.qr.codes import QrCode
from inzira.qr.directory import Directory
from inzira.qr.emv import AlternateLanguage, EmvError, MerchantQr, encode_merchant_qr
from inzira.qr.ledger_port import LedgerPort
from inzira.qr.mcc import is_mcc
from inzira.qr.name_screening import NameScreen, screened
from inzira.qr.records import OPEN, Bill, Merchant, insert_sql, values
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.settings import QrSettings
from inzira.qr.store.awaiting import write
from inzira.qr.store.reader import StoreReader
from inzira.qr.store.writer import StoreWriter, WriteTx
from inzira.shown_text import UNSHOWN_DETAIL, shown_as_is

LOCATION_CHARS_MAX = 120
BILL_NUMBER_CHARS_MAX = 25  # EMVCo 62.01
GENERATED_BILL_NUMBER_BYTES = 5
# A bill's QR carries a random reference label (62.05) beside its number, which may be the merchant's own and
# guessable: only the QR the merchant showed names the bill (``scan``), never one crafted from its number.
BILL_SECRET_BYTES = 8


@dataclass(frozen=True, slots=True)
class MerchantSpec:
    name: str
    city: str
    mcc: str
    location: str
    postal_code: str | None = None
    alternate: AlternateLanguage | None = None


def _unshown(spec: MerchantSpec) -> Rejected | None:
    """The visitor reads the location and the name in another language (tag 64, any script) before paying:
    nothing in them may read as other than it is."""
    alt = spec.alternate
    texts = {"location": spec.location, "alternate name": alt and alt.name, "alternate city": alt and alt.city}
    for field, text in texts.items():
        if text is not None and not shown_as_is(text):
            return rejected(Code.VALIDATION, f"the {field} {UNSHOWN_DETAIL}")
    return None


def _fits_qr(qr: MerchantQr) -> str | Rejected:
    try:
        return encode_merchant_qr(qr)
    except EmvError as exc:
        return rejected(Code.VALIDATION, f"does not fit an EMVCo QR: {exc.message}", emv_code=exc.code, tag=exc.tag)


class Merchants:
    def __init__(self, settings: QrSettings, port: LedgerPort, writer: StoreWriter, reader: StoreReader,
                 directory: Directory, bills: BillBook, guard: TargetGuard, screen: NameScreen | None = None) -> None:
        self.settings = settings
        self.guard = guard
        self.screen = screen
        self.bills = bills
        self.port = port
        self.writer = writer
        self.reader = reader
        self.directory = directory
        self.timeout_s = settings.verdict_timeout_ms / 1000

    def is_acquirer(self, member: str) -> bool:
        return (member in self.settings.acquirers and self.port.has_key(member)
                and self.port.holds_role(member, "acquirer"))

    async def create(self, acquirer: str, spec: MerchantSpec) -> tuple[Merchant, str] | Rejected:
        """Open the merchant's RWF account on chain, then store it; returns it with its POS token."""
        if not self.is_acquirer(acquirer):
            return rejected(Code.PERMISSION, f"{acquirer} does not acquire merchants on this service")
        if not is_mcc(spec.mcc):
            return rejected(Code.VALIDATION, f"{spec.mcc!r} is not an ISO 18245 merchant category code")
        if not 0 < len(spec.location.strip()) <= LOCATION_CHARS_MAX:
            return rejected(Code.VALIDATION, f"the location is 1 to {LOCATION_CHARS_MAX} characters")
        unshown = _unshown(spec)
        if unshown is not None:
            return unshown
        # The name in the visitor's language (tag 64) is the merchant's too: a listed name may be written there alone.
        for whose, name in (("merchant", spec.name), ("merchant's name in another language",
                                                      spec.alternate.name if spec.alternate else "")):
            held = screened(self.screen, whose, name) if name else None
            if held is not None:
                return held
        merchant_id = tokens.merchant_id()
        payload = _fits_qr(MerchantQr(merchant_id, spec.name, spec.city, spec.mcc, self.settings.price_currency,
                                      postal_code=spec.postal_code, alternate=spec.alternate))
        if isinstance(payload, Rejected):
            return payload
        account = f"{acquirer}:m-{merchant_id}"
        opened = await self.port.execute(acquirer, OpenAccount(account, self.settings.price_currency),
                                         f"qr-open-{merchant_id}", self.timeout_s)
        if isinstance(opened, Rejected):
            return opened
        if opened.code != Code.OK:
            return rejected(opened.code, f"the ledger refused to open {account}", tx_id=opened.tx_id.hex(),
                            height=opened.height)
        token, digest = tokens.mint(tokens.MERCHANT_TOKEN_PREFIX, merchant_id)
        alt = spec.alternate
        merchant = Merchant(merchant_id, acquirer, spec.name, spec.city, spec.mcc, spec.location.strip(),
                            spec.postal_code, alt and alt.language, alt and alt.name, alt and alt.city, account,
                            payload, digest, self.port.now_ms())

        def insert(tx: WriteTx) -> None:
            tx.execute(insert_sql("merchants", Merchant), values(merchant))

        written = await write(self.writer, insert, self.timeout_s)
        if isinstance(written, Rejected):
            return written
        self.directory.add_merchant(merchant)
        return merchant, token

    async def create_bill(self, merchant: Merchant, amount_minor: int, bill_number: str | None,
                          expires_in_ms: int | None, terminal_label: str | None) -> Bill | Rejected:
        s = self.settings
        if not 0 < amount_minor <= s.payment_minor_max:
            return rejected(Code.VALIDATION, f"a bill is between 1 and {s.payment_minor_max} RWF")
        ttl_ms = s.bill_ttl_ms if expires_in_ms is None else expires_in_ms
        if not s.bill_ttl_ms_min <= ttl_ms <= s.bill_ttl_ms_max:
            return rejected(Code.VALIDATION, f"a bill expires in {s.bill_ttl_ms_min} to {s.bill_ttl_ms_max} ms")
        number = bill_number or secrets.token_hex(GENERATED_BILL_NUMBER_BYTES).upper()
        if number == "***" or len(number) > BILL_NUMBER_CHARS_MAX:
            return rejected(Code.VALIDATION, f"a bill number is 1 to {BILL_NUMBER_CHARS_MAX} characters, not ***")
        payload = _fits_qr(MerchantQr(merchant.id, merchant.name, merchant.city, merchant.mcc, s.price_currency,
                                      amount_minor, postal_code=merchant.postal_code, bill_number=number,
                                      reference_label=secrets.token_hex(BILL_SECRET_BYTES).upper(),
                                      terminal_label=terminal_label, alternate=merchant.alternate))
        if isinstance(payload, Rejected):
            return payload
        now_ms = self.port.now_ms()
        bill = Bill(tokens.record_id("bill"), merchant.id, number, amount_minor, s.price_currency, payload,
                    terminal_label, now_ms, now_ms + ttl_ms, OPEN, None)

        def insert(tx: WriteTx) -> Bill | Rejected:
            refused = bill_refusal(tx, s, merchant.id, now_ms)
            if refused is not None:
                return refused
            if tx.execute("SELECT 1 FROM bills WHERE merchant_id = ? AND bill_number = ?",
                          (merchant.id, number)).fetchone():
                return rejected(Code.VALIDATION, f"bill number {number} is already used by this merchant")
            tx.execute(insert_sql("bills", Bill), values(bill))
            tx.after_commit(lambda: self.bills.added(bill))
            return bill

        return await write(self.writer, insert, self.timeout_s)

    def bill(self, merchant: Merchant, bill_id: str) -> Bill | Rejected:
        """From the store, the authority (the POS asks for the status it shows)."""
        bill = self.reader.bill(bill_id)
        if bill is None or bill.merchant_id != merchant.id:
            return rejected(QrCode.BILL_NOT_FOUND, f"{merchant.name} has no bill {bill_id}")
        return bill

    async def set_webhook(self, acquirer: str, url: str) -> str | Rejected:
        if not self.is_acquirer(acquirer):
            return rejected(Code.PERMISSION, f"{acquirer} does not acquire merchants on this service")
        try:
            await self.guard.check(url)
        except TargetRefused as exc:
            return rejected(Code.VALIDATION, str(exc))
        now_ms = self.port.now_ms()

        def upsert(tx: WriteTx) -> str:
            tx.execute("INSERT INTO webhooks VALUES (?,?,?) ON CONFLICT (acquirer) DO UPDATE SET url = excluded.url,"
                       " updated_at_ms = excluded.updated_at_ms", (acquirer, url, now_ms))
            return url

        return await write(self.writer, upsert, self.timeout_s)
