"""A directory operator that answers whatever a test tells it to: a real HTTP server on loopback whose regulator
routes (the two logs, the disputes, a decision) each answer the JSON bytes the test set, whatever the operator's
API documents. The operator is another member, so nothing it answers may break the pages that read it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
from fastapi import FastAPI
from starlette.responses import Response

from inzira.api.server import serve_in_thread

AUDIT, REGISTRATIONS, DISPUTES, RESOLUTION = "audit", "registrations", "disputes", "resolution"
PARTY = "ab" * 32
AT_MS = 1_796_000_000_000  # 2026-11-30


def lookup_row(**changes: Any) -> dict[str, Any]:
    return {"id": 7, "at_ms": AT_MS, "member": "eurosend", "msisdn": "+250788123456", "fsp_id": "mobimo", **changes}


def registration_row(**changes: Any) -> dict[str, Any]:
    return {"id": 9, "at_ms": AT_MS, "member": "mobimo", "party": PARTY, "msisdn": "+25078****456", "active": True,
            "request_id": "req-1", "status": 200, "code": None, "outcome": "LISTED", **changes}


def dispute(**changes: Any) -> dict[str, Any]:
    return {"dispute_id": "0b0e7c1e-5d2a-4f7e-9a43-3f1c2b8d9e10", "msisdn": "+250788123456", "claimant": "ubumwe",
            "holder": "mobimo", "holder_confirms": None, "request_id": "req-2", "created_at_ms": AT_MS,
            "state": "OPEN", "resolved_by": "", "resolved_at_ms": 0, "tx_id": "", **changes}


def log_page(items: list[Any], **changes: Any) -> dict[str, Any]:
    return {"items": items, "next_before_id": None, "refused_by_member": {"silkpay": 3}, **changes}


def disputes_page(items: list[Any], **changes: Any) -> dict[str, Any]:
    return {"items": items, "next_before_seq": None, **changes}


class HostileOperator:
    def __init__(self) -> None:
        self.base_url = ""
        self.answers: dict[str, bytes] = {}  # by route: the bytes it answers with 200

    def answer(self, route: str, doc: Any) -> None:
        """Answer ``doc`` on ``route`` from now on: JSON bytes as they are, anything else encoded as JSON."""
        self.answers[route] = doc if isinstance(doc, bytes) else msgspec.json.encode(doc)

    def app(self) -> FastAPI:
        app = FastAPI()
        for route, path, method in ((AUDIT, "/v1/directory/audit", "GET"),
                                    (REGISTRATIONS, "/v1/directory/audit/registrations", "GET"),
                                    (DISPUTES, "/v1/directory/disputes", "GET"),
                                    (RESOLUTION, "/v1/directory/disputes/{dispute_id}/resolution", "POST")):
            app.add_api_route(path, self._answering(route), methods=[method])
        return app

    def _answering(self, route: str) -> Any:
        async def answering() -> Response:
            return Response(self.answers.get(route, b"{}"), media_type="application/json")
        return answering


@contextmanager
def hostile_operator() -> Iterator[HostileOperator]:
    operator = HostileOperator()
    served, _port = serve_in_thread(operator.app())
    operator.base_url = served.base_url
    try:
        yield operator
    finally:
        served.stop()
