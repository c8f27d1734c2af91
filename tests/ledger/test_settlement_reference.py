"""Issue and Redeem carry the settlement reference of the money behind them: at most 64 printable ASCII."""

from __future__ import annotations

from inzira.ledger.codes import Code
from inzira.ledger.tx import Issue, OpenAccount, Redeem, decode_body, decode_signed


def test_issue_and_redeem_keep_their_reference_and_refuse_a_bad_one(net) -> None:
    assert net.one(net.tx("eurosend", OpenAccount("eurosend:eur", "EUR"))) == Code.OK
    for bad in ("x" * 65, "line\nbreak", "caf\u00e9", "\x00"):
        assert net.one(net.tx("sbk", Issue("eurosend:eur", 1_00, "EUR", bad))) == Code.VALIDATION
        assert net.one(net.tx("eurosend", Redeem("eurosend:eur", 1, "EUR", bad), "sbk")) == Code.VALIDATION
    issued = net.tx("sbk", Issue("eurosend:eur", 10_00, "EUR", "SEPA-2026-0001 /ref:42" + "x" * 42))
    assert net.one(issued) == Code.OK and net.balance("eurosend:eur") == 10_00
    assert decode_body(decode_signed(issued).body).op.reference.startswith("SEPA-2026-0001")
    assert net.one(net.tx("eurosend", Redeem("eurosend:eur", 4_00, "EUR", "payout-1"), "sbk")) == Code.OK
    assert net.one(net.tx("eurosend", Redeem("eurosend:eur", 1_00, "EUR", "payout-2"))) == Code.PERMISSION
    assert net.balance("eurosend:eur") == 6_00
