"""The directory operator's two logs on a real SQLite file: each keeps its newest ``audit_rows_max`` rows (pruned
every ``PRUNE_EVERY_ROWS`` rows added to it, counted per log), and pages newest first with its filters."""

from __future__ import annotations

from pathlib import Path

from inzira.directory.store import PRUNE_EVERY_ROWS, DirectoryStore, RegistrationRow

KEPT_MAX = 10


def _registration(n: int) -> RegistrationRow:
    return RegistrationRow(n, "mobimo" if n % 2 else "ubumwe", n.to_bytes(32, "big"), f"+25078****{n % 1000:03d}",
                           True, f"req-{n}", 200, 0, "LISTED")


def test_each_log_keeps_its_newest_rows_and_counts_its_own(tmp_path: Path) -> None:
    store = DirectoryStore(tmp_path / "directory.db", KEPT_MAX)
    try:
        for n in range(PRUNE_EVERY_ROWS - 1):
            store.audit(n, "eurosend", f"+250780{n:06d}", "mobimo")
        for n in range(PRUNE_EVERY_ROWS):
            store.audit_registration(_registration(n))
        # The registrations log reached its count and was pruned; the look-up log, one row short, was not.
        assert len(store.registrations_page(2 * PRUNE_EVERY_ROWS)) == KEPT_MAX
        assert len(store.audit_page(2 * PRUNE_EVERY_ROWS)) == PRUNE_EVERY_ROWS - 1
        store.audit(PRUNE_EVERY_ROWS, "eurosend", "+250780999999", "mobimo")
        newest = store.audit_page(2 * PRUNE_EVERY_ROWS)
        last = PRUNE_EVERY_ROWS - 2  # the newest of the first rows
        assert [r["at_ms"] for r in newest] == [PRUNE_EVERY_ROWS, *range(last, last - KEPT_MAX + 1, -1)]
        mine = store.registrations_page(3, member="ubumwe")
        assert [r["at_ms"] for r in mine] == [998, 996, 994] and all(r["member"] == "ubumwe" for r in mine)
        one = store.registrations_page(5, party=(997).to_bytes(32, "big"))
        assert [(r["at_ms"], r["msisdn"]) for r in one] == [(997, "+25078****997")]
        before = store.registrations_page(2, before_id=mine[0]["id"])
        assert [r["at_ms"] for r in before] == [997, 996]
    finally:
        store.close()
