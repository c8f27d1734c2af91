"""A merchant's statement: totals per day (Kigali days, UTC+2 all year) and every payment with its proof.

Each payment carries its transaction id and block height; with ``proofs`` it also carries the ledger's
receipt, which anyone verifies offline against the network's genesis (``inzira receipt verify`` or
``inzira.ledger.receipt.verify_receipt``). Refunds count on the day they were made.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from inzira.api.numbers import TIME_MS_MAX, parse_digits
from inzira.ledger.codes import Code
from inzira.qr.ledger_port import LedgerPort
from inzira.qr.records import Merchant, Payment, Refund, columns
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.settings import DAY_MS, QrSettings
from inzira.qr.store.reader import StoreReader
from inzira.qr.views import payment_view, refund_view

KIGALI = timezone(timedelta(hours=2), "CAT")  # Rwanda has no daylight saving time
KIGALI_OFFSET_MS = 2 * 3_600_000
CURSOR_CHARS_MAX = 80
CURSOR_PATTERN = "^[0-9]{1,19}:[a-z0-9_]{1,60}$"  # "<settled at, ms>:<payment id>", at most CURSOR_CHARS_MAX

_DAYS = ("SELECT (settled_at_ms + ?) / ? AS day, count(*), sum(amount_minor) FROM {table} WHERE merchant_id = ? "
         "AND status = 'completed' AND settled_at_ms >= ? AND settled_at_ms < ? GROUP BY day")
_PAGE = (f"SELECT {columns(Payment)} FROM payments WHERE merchant_id = ? AND status = 'completed' "
         "AND settled_at_ms >= ? AND settled_at_ms < ? AND (settled_at_ms, id) > (?, ?) "
         "ORDER BY settled_at_ms, id LIMIT ?")
_REFUNDS = (f"SELECT {columns(Refund)} FROM refunds WHERE merchant_id = ? AND status = 'completed' "
            "AND settled_at_ms >= ? AND settled_at_ms < ? ORDER BY settled_at_ms, id LIMIT ?")


def today_kigali(now_ms: int) -> date:
    return datetime.fromtimestamp(now_ms / 1000, KIGALI).date()


def day_start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=KIGALI).timestamp() * 1000)


def _cursor(text: str | None) -> tuple[int, str] | None:
    if text is None:
        return (-1, "")
    at_text, _, payment_id = text.partition(":")
    at = parse_digits(at_text, 0, TIME_MS_MAX)
    if len(text) > CURSOR_CHARS_MAX or at is None or not payment_id:
        return None
    return at, payment_id


class Statements:
    def __init__(self, settings: QrSettings, reader: StoreReader, port: LedgerPort) -> None:
        self.settings = settings
        self.reader = reader
        self.port = port

    def statement(self, merchant: Merchant, first: date | None, last: date | None, proofs: bool, limit: int,
                  cursor: str | None) -> dict[str, Any] | Rejected:
        """Runs many queries (and reads receipts with ``proofs``): call it from a worker thread."""
        s = self.settings
        last = last or first or today_kigali(self.port.now_ms())
        first = first or last
        days = (last - first).days + 1
        if not 0 < days <= s.statement_days_max:
            return rejected(Code.VALIDATION, f"a statement covers 1 to {s.statement_days_max} days, from <= to")
        page_max = s.statement_proofs_page_max if proofs else s.statement_page_max
        if not 0 < limit <= page_max:
            return rejected(Code.VALIDATION, f"limit is 1 to {page_max}" + (" with proofs" if proofs else ""))
        after = _cursor(cursor)
        if after is None:
            return rejected(Code.VALIDATION, "cursor is the next_cursor of a previous page")
        start_ms, end_ms = day_start_ms(first), day_start_ms(last) + DAY_MS
        totals = self._days(merchant.id, start_ms, end_ms)
        rows = self.reader.all(_PAGE, (merchant.id, start_ms, end_ms, after[0], after[1], limit))
        payments = [Payment(*row) for row in rows]
        refunds = [Refund(*row) for row in self.reader.all(_REFUNDS, (merchant.id, start_ms, end_ms,
                                                                        s.statement_page_max + 1))]
        return {
            "merchant_id": merchant.id,
            "merchant_name": merchant.name,
            "account": merchant.account,
            "currency": s.price_currency,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "timezone": "Africa/Kigali (UTC+02:00)",
            "days": totals,
            "totals": {key: sum(day[key] for day in totals) for key in
                       ("payments", "paid_minor", "refunds", "refunded_minor", "net_minor")},
            "payments": [self._line(p, merchant, proofs) for p in payments],
            "next_cursor": f"{payments[-1].settled_at_ms}:{payments[-1].id}" if len(payments) == limit else None,
            "refunds": [refund_view(r, for_wallet=False) for r in refunds[:s.statement_page_max]],
            "refunds_truncated": len(refunds) > s.statement_page_max,
        }

    def _days(self, merchant_id: str, start_ms: int, end_ms: int) -> list[dict[str, Any]]:
        by_day: dict[int, dict[str, Any]] = {}
        for table, count_key, sum_key in (("payments", "payments", "paid_minor"),
                                          ("refunds", "refunds", "refunded_minor")):
            query = _DAYS.format(table=table)
            for day, count, total in self.reader.all(query, (KIGALI_OFFSET_MS, DAY_MS, merchant_id, start_ms, end_ms)):
                entry = by_day.setdefault(day, {"payments": 0, "paid_minor": 0, "refunds": 0, "refunded_minor": 0})
                entry[count_key], entry[sum_key] = count, total
        out = []
        for day in sorted(by_day):
            entry = by_day[day]
            out.append({"date": date.fromordinal(date(1970, 1, 1).toordinal() + day).isoformat(), **entry,
                        "net_minor": entry["paid_minor"] - entry["refunded_minor"]})
        return out

    def _line(self, payment: Payment, merchant: Merchant, proofs: bool) -> dict[str, Any]:
        line = payment_view(payment, merchant.name, for_wallet=False)
        line["refunds"] = [refund_view(r, for_wallet=False) for r in self.reader.refunds_of(payment.id)]
        if proofs:
            line["receipt"] = self.port.receipt(payment.tx_id)
        return line
