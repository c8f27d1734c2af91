"""What every ordering mode answers a submitter: the outcome, or why it could not take the transaction."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdict and where it is in the chain (height 0: in no block)."""

    tx_id: bytes
    code: int
    at: int = -1
    height: int = 0
    index: int = -1


class Busy(RuntimeError):
    """Too many transactions waiting: the caller should retry later (HTTP 503)."""


class Stopped(RuntimeError):
    """The ordering service is not taking transactions."""


_LOCK = threading.Lock()  # one lock for every ticket: held for a few instructions, never contended long


class Ticket:
    """The promise of an ``Outcome``, resolved once by the ordering service.

    A lighter stand-in for ``concurrent.futures.Future`` (which builds a Condition per instance): the
    same ``add_done_callback`` / ``done`` / ``result`` / ``exception`` surface, and an Event only for
    callers that actually block on ``result``. Callbacks run on the thread that resolves the ticket.
    """

    __slots__ = ("_done", "_outcome", "_error", "_callbacks", "_event")

    def __init__(self) -> None:
        self._done = False
        self._outcome: Outcome | None = None
        self._error: BaseException | None = None
        self._callbacks: list[Callable[["Ticket"], None]] | None = None
        self._event: threading.Event | None = None

    @classmethod
    def resolved(cls, outcome: Outcome) -> "Ticket":
        ticket = cls()
        ticket._done, ticket._outcome = True, outcome
        return ticket

    def set_result(self, outcome: Outcome) -> bool:
        return self._finish(outcome, None)

    def set_exception(self, error: BaseException) -> bool:
        return self._finish(None, error)

    def _finish(self, outcome: Outcome | None, error: BaseException | None) -> bool:
        with _LOCK:
            if self._done:
                return False
            self._outcome, self._error, self._done = outcome, error, True
            callbacks, event = self._callbacks, self._event
            self._callbacks = None
        if event is not None:
            event.set()
        for callback in callbacks or ():
            callback(self)
        return True

    def add_done_callback(self, callback: Callable[["Ticket"], None]) -> None:
        with _LOCK:
            if not self._done:
                if self._callbacks is None:
                    self._callbacks = []
                self._callbacks.append(callback)
                return
        callback(self)

    def done(self) -> bool:
        return self._done

    def cancelled(self) -> bool:
        return False  # an ordered transaction cannot be called back

    def _wait(self, timeout: float | None) -> None:
        if self._done:
            return
        with _LOCK:
            if not self._done and self._event is None:
                self._event = threading.Event()
            event = self._event
        if event is not None and not event.wait(timeout):
            raise TimeoutError("no outcome yet")

    def result(self, timeout: float | None = None) -> Outcome:
        self._wait(timeout)
        if self._error is not None:
            raise self._error
        return self._outcome  # type: ignore[return-value]

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._wait(timeout)
        return self._error
