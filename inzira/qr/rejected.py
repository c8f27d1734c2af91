"""An expected refusal, as a value: the service returns it, the API turns it into problem+json."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from inzira.qr.codes import status_of


@dataclass(frozen=True, slots=True)
class Rejected:
    code: int
    detail: str
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def in_chain(self) -> bool:
        """A ledger verdict: the refused transaction is in a block and has a receipt."""
        return bool(self.extra.get("height"))

    @property
    def status(self) -> int:
        return status_of(self.code, self.in_chain)


def rejected(code: int, detail: str, **extra: Any) -> Rejected:
    return Rejected(int(code), detail, MappingProxyType(extra))


def seconds_until(at_ms: int, now_ms: int) -> int:
    """Whole seconds, rounded up and at least 1, until ``at_ms``: a refusal's ``retry_after_s`` and Retry-After."""
    return max(1, -(-(at_ms - now_ms) // 1000))
