"""Firm FX quotes as authorization: the FX provider's signed quote lets a transfer debit its accounts.

The quote binds the provider to pay at most ``sell_amount_minor`` and to receive at least
``buy_amount_minor``; each quote is used once, by the member it was made for, before it expires, and a
pending transfer it pays for ends at most ``quote_hold_after_max_ms`` (policy) after it.
"""

from __future__ import annotations

from inzira.ledger.codes import Code
from inzira.ledger.context import OK, Ctx, TxResult, fail
from inzira.ledger.state import State
from inzira.money import AMOUNT_MINOR_MAX

FX_ROLE = "fx_provider"
QUOTE_ID_CHARS_MAX = 64


def quote_key(fx: str, quote_id: str) -> bytes:
    return fx.encode() + b"\x00" + quote_id.encode()


def hold_until_max_ms(state: State, quote_expires_at_ms: int) -> int:
    """The latest a pending transfer paid by a quote ending at ``quote_expires_at_ms`` may stay pending."""
    return quote_expires_at_ms + state.policy.quote_hold_after_max_ms


def check_quotes(
    state: State,
    ctx: Ctx,
    unsigned_debits: dict[tuple[str, str], int],
    credits: dict[tuple[str, str], int],
) -> TxResult:
    """Check the quotes against the legs; on success mark them used (the caller commits the legs)."""
    allowance: dict[tuple[str, str], int] = {}
    required: dict[tuple[str, str], int] = {}
    keys: list[tuple[bytes, int]] = []
    quote_sigs = ctx.op.quotes  # type: ignore[attr-defined]
    hold_until_ms = ctx.op.expires_at_ms  # type: ignore[attr-defined]  # 0: posted at once, nothing held
    for i, quote in enumerate(ctx.quotes):
        fx = state.members.get(quote.fx)
        if fx is None or FX_ROLE not in fx.roles or quote_sigs[i].sig.key not in fx.keys:
            return fail(Code.PERMISSION, i)
        if quote.for_member != ctx.submitter:
            return fail(Code.PERMISSION, i)
        if not 0 < len(quote.quote_id) <= QUOTE_ID_CHARS_MAX:
            return fail(Code.VALIDATION, i)
        if not (0 < quote.sell_amount_minor <= AMOUNT_MINOR_MAX and 0 < quote.buy_amount_minor <= AMOUNT_MINOR_MAX):
            return fail(Code.VALIDATION, i)
        if ctx.timestamp_ms >= quote.expires_at_ms:
            return fail(Code.QUOTE_EXPIRED, i)
        if quote.expires_at_ms > ctx.timestamp_ms + state.policy.quote_validity_max_ms:
            return fail(Code.VALIDATION, i)  # a firm quote is short-lived; its use is remembered until then
        if hold_until_ms > hold_until_max_ms(state, quote.expires_at_ms):
            # A hold open long after its price lapsed is the client's free option against the FX provider,
            # which may not void a hashlocked transfer: the price binds only as long as the quote (and a grace).
            return fail(Code.VALIDATION, i)
        key = quote_key(quote.fx, quote.quote_id)
        if key in state.quotes_used or any(key == k for k, _ in keys):
            return fail(Code.QUOTE_USED, i)
        keys.append((key, quote.expires_at_ms))
        sell = (quote.fx, quote.sell_currency)
        buy = (quote.fx, quote.buy_currency)
        allowance[sell] = allowance.get(sell, 0) + quote.sell_amount_minor
        required[buy] = required.get(buy, 0) + quote.buy_amount_minor
    quoted_fx = {fx for fx, _ in allowance}
    for (owner, currency), amount in unsigned_debits.items():
        if owner not in quoted_fx:
            return fail(Code.PERMISSION)
        if amount > allowance.get((owner, currency), 0):
            return fail(Code.QUOTE_MISMATCH)
    for key, amount in required.items():
        if credits.get(key, 0) < amount:
            return fail(Code.QUOTE_MISMATCH)
    for key, expires_at_ms in keys:
        state.put_quote_used(key, expires_at_ms)
    return OK
