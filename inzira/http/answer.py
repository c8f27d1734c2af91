"""An answer read whole, within a size limit, and what a caller makes of it: JSON, or a problem."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from inzira.decoding import decode_json
from inzira.http.problem import HttpProblem, problem_of, unusable

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # case-insensitive, as the transport read them
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self, kind: type[T] | Any = Any) -> T | Any:
        """The body as JSON (decoded into ``kind`` when given); ``HttpProblem`` (502) when it is not that."""
        try:
            return decode_json(self.content, kind) if self.content else None
        except msgspec.DecodeError as exc:  # also nested too deep, or a string not UTF-8 (decode_json)
            raise unusable(502, f"the answer is not the JSON expected: {exc}") from None

    def checked(self, what: str) -> Answer:
        """This answer if it is a success; else the problem it states, as ``HttpProblem``."""
        if not self.is_success:
            raise problem_of(self.status, self.content, self.headers, f"{what} answered HTTP {self.status}")
        return self


class BodyReader:
    """Collects an answer's body (``what``: the call, for the detail), refusing it as soon as it passes
    ``bytes_max``, or at once when its declared length does."""

    def __init__(self, what: str, headers: Mapping[str, str], bytes_max: int) -> None:
        self.what = what
        self.bytes_max = bytes_max
        self.size = 0
        self.chunks: list[bytes] = []
        declared = headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > bytes_max:
            raise self._too_large()

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.bytes_max:
            raise self._too_large()
        self.chunks.append(chunk)

    def answer(self, status: int, headers: Mapping[str, str]) -> Answer:
        return Answer(status, headers, b"".join(self.chunks))

    def _too_large(self) -> HttpProblem:
        return unusable(502, f"{self.what}: the answer is larger than {self.bytes_max} bytes")
