"""Reading server-sent events in tests, with a deadline (heartbeats arrive every 200 ms, so it is checked)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

Event = dict[str, Any]


class EventReader:
    """Parses the ``event: block`` frames of one open stream; each event is its data plus its ``id``."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.iter_lines()
        self._fields: dict[str, str] = {}

    def next_event(self, deadline: float) -> Event:
        for line in self._lines:
            if time.monotonic() > deadline:
                raise TimeoutError("no such event in time")
            if line == "":
                fields, self._fields = self._fields, {}
                if fields.get("event") == "block":
                    return {"id": fields.get("id"), **json.loads(fields["data"])}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                self._fields[name] = value.removeprefix(" ")
        raise TimeoutError("the stream ended")

    def wait_for(self, wanted: Callable[[Event], bool], timeout_s: float, seen: list[Event] | None = None) -> Event:
        deadline = time.monotonic() + timeout_s
        while True:
            event = self.next_event(deadline)
            if seen is not None:
                seen.append(event)
            if wanted(event):
                return event

    def first(self, timeout_s: float) -> Event:
        return self.next_event(time.monotonic() + timeout_s)
