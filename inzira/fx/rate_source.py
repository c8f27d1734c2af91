"""The desk's reference rates as time passes: a rates file re-read when the FX provider publishes a new one, or
the demo's table, and the age past which the desk quotes from neither.

A firm quote binds the FX provider at its rate until it expires, so rates the market left long ago must not be
quoted: past ``age_max_ms`` (24 h by default) the desk refuses (``RatesStale``; 503, code 2040 at the service)
until a fresh table is published. The file is looked at on the quote path, at most every ``RELOAD_CHECK_MS``
(its inode, modification time and size): a new version is loaded, and one that is not a valid table is logged
and the table in use kept, so a typo in tomorrow's file does not stop quoting while today's is still fresh.
Quotes already signed carry their own rate and stay firm whatever the table becomes.

The demo's rates are fictional, so nobody publishes them: the demo's table is stamped with the desk's clock
when made and re-stamped once it is half ``age_max_ms`` old, and disclosed as "(demo rates)".
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from inzira.fx.rates import RateTable, time_text

log = logging.getLogger(__name__)

HOUR_MS = 3_600_000
RATES_AGE_MAX_MS = 24 * HOUR_MS
RELOAD_CHECK_MS = 2_000

_Version = tuple[int, int, int]  # inode, modification time (ns), size: a file replaced or rewritten changes one


class RatesStale(Exception):
    """The table in use is older than the desk's maximum age: no quote until fresh rates are published."""

    def __init__(self, table: RateTable, now_ms: int) -> None:
        age_ms = now_ms - table.as_of_ms
        age = f"{age_ms // HOUR_MS} h" if age_ms >= HOUR_MS else f"{age_ms // 60_000} min"
        super().__init__(f"FX rates are {age} old (as of {table.as_of}); the provider has not published "
                         "fresh rates")


def _version(path: Path) -> _Version:
    found = os.stat(path)
    return found.st_ino, found.st_mtime_ns, found.st_size


class RateSource:
    """The table the desk quotes from now: ``table(now_ms)`` is fresh or raises ``RatesStale``."""

    def __init__(self, table: RateTable, *, age_max_ms: int = RATES_AGE_MAX_MS, path: Path | None = None,
                 version: _Version | None = None) -> None:
        if age_max_ms <= 0:
            raise ValueError("the maximum age of rates is a positive number of milliseconds")
        self.age_max_ms = age_max_ms
        self.path = path
        self._table = table
        self._version = version  # of the file last looked at, loaded or refused
        self._checked_ms = table.as_of_ms

    @classmethod
    def file(cls, path: Path, now_ms: int, age_max_ms: int = RATES_AGE_MAX_MS) -> "RateSource":
        """The rates in ``path``, re-read when it changes; RateError (naming the field) if it is no valid table.
        A table already too old is kept: the desk refuses quotes until a fresh one is published there."""
        version = _version(path)  # before reading: a change made while it is read shows at the next check
        source = cls(RateTable.load(path, now_ms), age_max_ms=age_max_ms, path=path, version=version)
        source._checked_ms = now_ms
        if now_ms - source._table.as_of_ms > age_max_ms:
            log.warning("%s: %s", path, RatesStale(source._table, now_ms))
        return source

    @classmethod
    def demo(cls, now_ms: int, age_max_ms: int = RATES_AGE_MAX_MS) -> "RateSource":
        return cls(RateTable.demo_at(now_ms), age_max_ms=age_max_ms)

    @property
    def current(self) -> RateTable:
        """The table in use, fresh or not (for display, never for a quote)."""
        return self._table

    def table(self, now_ms: int) -> RateTable:
        if self.path is not None and not 0 <= now_ms - self._checked_ms < RELOAD_CHECK_MS:
            self._checked_ms = now_ms
            self._reload(self.path, now_ms)
        table = self._table
        if table.demo and not 0 <= now_ms - table.as_of_ms < self.age_max_ms // 2:
            table = self._table = table.stamped(now_ms - now_ms % 1000)
        if now_ms - table.as_of_ms > self.age_max_ms:
            raise RatesStale(table, now_ms)
        return table

    def _reload(self, path: Path, now_ms: int) -> None:
        try:
            version = _version(path)
        except OSError as exc:
            if self._version is not None:
                log.warning("%s: cannot read it (%s); quoting from the rates as of %s", path, exc, self._table.as_of)
            self._version = None
            return
        if version == self._version:
            return
        self._version = version
        try:
            table = RateTable.load(path, now_ms)
        except (OSError, ValueError) as exc:
            log.warning("new rates refused, quoting from the rates as of %s: %s", self._table.as_of, exc)
            return
        self._table = table
        log.info("%s: rates as of %s loaded at %s", path, table.as_of, time_text(now_ms))
