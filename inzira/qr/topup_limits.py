"""How much a wallet may be topped up: per top-up, per day (amount and attempts), and up to a balance cap.

Checked inside the store job that records the top-up, so concurrent requests of one wallet are counted one
after the other (the store has one writer). "A day" is the 24 hours before now. What counts:

- the day's amount: every top-up asked for in the day that may still move or has moved money (opening,
  card form still open, pending, authorized), not those declined, timed out, expired, failed or refunded;
- the day's attempts: every top-up asked for in the day, declined ones too (card testing is attempts);
- the balance cap: the wallet's balance on chain, plus credits on their way, plus card payments still open.
"""

from __future__ import annotations

from typing import Any, Protocol

from inzira.ledger.codes import Code
from inzira.money import money_text
from inzira.qr.codes import QrCode
from inzira.qr.rejected import Rejected, rejected, seconds_until
from inzira.qr.settings import DAY_MS, QrSettings


class Executes(Protocol):
    def execute(self, sql: str, params: tuple[Any, ...] = ...) -> Any: ...


_DAY = ("SELECT count(*), coalesce(sum(CASE WHEN status IN ('opening', 'pending', 'authorized') "
        "OR (status = 'awaiting_card' AND expires_at_ms > ?) THEN amount_minor ELSE 0 END), 0) "
        "FROM card_topups WHERE wallet_id = ? AND created_at_ms > ?")
# The attempt whose day ends first among those that must end before one more fits (the oldest, unless the limit
# was lowered since); the index card_topups_by_wallet serves it.
_FREES_A_PLACE = ("SELECT created_at_ms FROM card_topups WHERE wallet_id = ? AND created_at_ms > ? "
                  "ORDER BY created_at_ms LIMIT 1 OFFSET ?")
_COMING = ("SELECT coalesce(sum(amount_minor), 0) FROM card_topups WHERE wallet_id = ? "
           "AND status IN ('opening', 'awaiting_card', 'pending') AND (status != 'awaiting_card' OR expires_at_ms > ?)")
_CREDITING = "SELECT coalesce(sum(amount_minor), 0) FROM topups WHERE status = 'submitted' AND wallet_id = ?"


def amount_refusal(settings: QrSettings, amount_minor: int) -> Rejected | None:
    if 0 < amount_minor <= settings.topup_minor_max:
        return None
    return rejected(Code.VALIDATION, f"a top-up is 1 to {settings.topup_minor_max} minor units",
                    limit_minor=settings.topup_minor_max)


def limit_refusal(tx: Executes, settings: QrSettings, wallet_id: str, currency: str, amount_minor: int,
                  chain_balance_minor: int, now_ms: int) -> Rejected | None:
    """Why this top-up would pass one of the wallet's limits, or None."""
    count, day_minor = tx.execute(_DAY, (now_ms, wallet_id, now_ms - DAY_MS)).fetchone()
    if count >= settings.topup_day_count_max:
        frees = tx.execute(_FREES_A_PLACE, (wallet_id, now_ms - DAY_MS, count - settings.topup_day_count_max))
        row = frees.fetchone()
        if row is None:  # a limit of 0: waiting frees no place
            return rejected(QrCode.TOPUP_DAY_COUNT, "this wallet takes no top-ups", limit=0)
        resets_at_ms = row[0] + DAY_MS
        return rejected(QrCode.TOPUP_DAY_COUNT, f"at most {settings.topup_day_count_max} top-ups a day: try again "
                        "once the oldest is a day old", limit=settings.topup_day_count_max,
                        resets_at_ms=resets_at_ms, retry_after_s=seconds_until(resets_at_ms, now_ms))
    day_max = settings.topup_day_minor_max
    if day_minor + amount_minor > day_max:
        return rejected(QrCode.TOPUP_DAY_AMOUNT, f"top-ups of at most {money_text(day_max, currency)} a day; "
                        f"{money_text(day_minor, currency)} already", limit_minor=day_max, used_minor=day_minor)
    (coming_minor,) = tx.execute(_COMING, (wallet_id, now_ms)).fetchone()
    (crediting_minor,) = tx.execute(_CREDITING, (wallet_id,)).fetchone()
    cap = settings.wallet_balance_minor_max
    if chain_balance_minor + coming_minor + crediting_minor + amount_minor > cap:
        return rejected(QrCode.WALLET_BALANCE_LIMIT, f"a wallet holds at most {money_text(cap, currency)}, top-ups "
                        "on their way included", limit_minor=cap,
                        balance_minor=chain_balance_minor + coming_minor + crediting_minor)
    return None
