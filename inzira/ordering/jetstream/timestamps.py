"""The ordering log's own clock: the time JetStream stored each message, in whole milliseconds.

The stream leader stamps every message as it stores it, and Raft replicates the stamp with the message, so
every peer reads the same value for an entry. Peers judge block times against it, so it must come out the
same whatever way it was read: every conversion here is integer arithmetic, truncating to the millisecond.
"""

from __future__ import annotations

import calendar
import datetime
import re

# RFC 3339 as nats-server writes it: UTC, up to nanoseconds ("2026-12-05T09:01:50.123456789Z").
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z")


def ms_from_ns(ns: int) -> int:
    return ns // 1_000_000


def ms_from_rfc3339(text: str) -> int:
    """Milliseconds since the epoch of a UTC RFC 3339 stamp; 0 when it is not one."""
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        return 0
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        datetime.datetime(year, month, day, hour, minute, second)  # refuses impossible dates
    except ValueError:
        return 0
    fraction = (match.group(7) or "").ljust(3, "0")[:3]
    return seconds * 1000 + int(fraction)


def ms_from_datetime(moment: datetime.datetime | None) -> int:
    """Milliseconds since the epoch of an aware datetime (microsecond precision at most); 0 for None."""
    if moment is None:
        return 0
    utc = moment.astimezone(datetime.timezone.utc)
    return calendar.timegm(utc.utctimetuple()) * 1000 + utc.microsecond // 1000


def ms_from_ack_subject(reply: str) -> int:
    """The stored time carried in a JetStream delivery's reply subject ($JS.ACK.<stream>.<consumer>.
    <delivered>.<stream seq>.<consumer seq>.<nanoseconds>.<pending>, with an optional domain prefix)."""
    tokens = reply.split(".")
    if len(tokens) < 9 or tokens[0] != "$JS" or tokens[1] != "ACK":
        return 0
    stamp = tokens[-2] if len(tokens) == 9 else tokens[-3]
    return ms_from_ns(int(stamp)) if stamp.isascii() and stamp.isdigit() else 0
