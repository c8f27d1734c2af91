"""Reading an open event stream to its end after its credential was taken away (``inzira.api.held_stream``):
the server must end it within a bounded time, with an ``event: closed`` frame naming why."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx

# The server re-checks every 2 s of quiet: generous, as other tests share the machine. Without the re-check a
# stream goes on for minutes (heartbeats every 15 s, or every 200 ms with the API tests' settings).
STREAM_END_TIMEOUT_S = 10.0
STREAM_TIMEOUT = httpx.Timeout(STREAM_END_TIMEOUT_S)
LINES_MAX = 10_000


def closed_frame(lines: Iterator[str], timeout_s: float = STREAM_END_TIMEOUT_S) -> dict[str, Any]:
    """The data of the ``event: closed`` frame of an open stream (``lines``: its ``response.iter_lines()``),
    once the server has ended the stream; AssertionError
    when it is still open after ``timeout_s`` or ends without saying why."""
    deadline = time.monotonic() + timeout_s
    event, closed = "", None
    try:
        for count, line in enumerate(lines):
            if time.monotonic() > deadline or count > LINES_MAX:
                raise AssertionError(f"the stream is still open {timeout_s} s after its credential lapsed")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "closed":
                closed = json.loads(line[6:])
            elif line == "":
                event = ""
    except httpx.ReadTimeout:
        raise AssertionError(f"the stream is still open (and silent) {timeout_s} s after its credential "
                             "lapsed") from None
    if closed is None:
        raise AssertionError("the stream ended without an event: closed frame")
    return closed


def read_until(lines: Iterator[str], event_name: str, lines_max: int = LINES_MAX) -> None:
    """Read an open stream's lines until its first ``event: <event_name>`` (bounded by the client's timeout)."""
    for count, line in enumerate(lines):
        if line == f"event: {event_name}":
            return
        if count > lines_max:
            break
    raise AssertionError(f"no event {event_name} on the stream")
