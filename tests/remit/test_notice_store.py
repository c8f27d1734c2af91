"""The notices' bounds on a real SQLite file: alerts are kept per member, the latest only (a member can raise
alerts without end by setting a threshold and removing it again), and never at another member's cost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inzira.remit.store.db import Db
from inzira.remit.store.notices import NoticeStore

KEPT_MAX = 5


@pytest.fixture
def notices(tmp_path: Path) -> Iterator[NoticeStore]:
    db = Db(tmp_path / "remit.db")
    try:
        yield NoticeStore(db)
    finally:
        db.close()


def test_only_a_members_latest_alerts_are_kept_and_the_others_are_untouched(notices: NoticeStore) -> None:
    others = [notices.add_alert("silkpay", 1, {"kind": "liquidity.low", "n": n}, KEPT_MAX) for n in range(2)]
    ids = [notices.add_alert("eurosend", 1 + n, {"kind": "liquidity.low", "n": n}, KEPT_MAX)
           for n in range(KEPT_MAX + 7)]
    kept = notices.alerts("eurosend", 100)
    assert [a["id"] for a in kept] == ids[::-1][:KEPT_MAX]
    assert [a["n"] for a in kept] == list(range(KEPT_MAX + 6, 6, -1))
    assert [a["id"] for a in notices.alerts("silkpay", 100)] == others[::-1]
    assert len(notices.alerts(None, 100)) == KEPT_MAX + 2  # a regulator's view holds what is kept


def test_alerts_under_the_bound_are_all_kept(notices: NoticeStore) -> None:
    ids = [notices.add_alert("eurosend", n, {"n": n}, KEPT_MAX) for n in range(KEPT_MAX)]
    assert [a["id"] for a in notices.alerts("eurosend", 100)] == ids[::-1]
