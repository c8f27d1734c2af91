"""Everything a request handler reaches: the runtime, the settings, tokens, metrics and the block index.

One ``ApiContext`` per app, on ``app.state.api``; routers added by other services get it the same way,
with ``Depends(api_context)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from inzira.api.blockinfo import BlockIndex
from inzira.api.metrics import ApiMetrics
from inzira.api.runtime import LedgerRuntime
from inzira.api.settings import ApiSettings
from inzira.api.tickets import TicketBook
from inzira.api.tokens import TokenBook
from inzira.node.node import Node


@dataclass(slots=True)
class ApiContext:
    runtime: LedgerRuntime
    settings: ApiSettings
    tokens: TokenBook
    metrics: ApiMetrics
    blocks: BlockIndex
    tickets: TicketBook
    event_streams: int = 0  # open event streams (changed on the event loop only)
    closing: bool = False  # set when the server stops: event streams end on their next wake-up

    @property
    def node(self) -> Node:
        return self.runtime.node

    def close_streams(self) -> None:
        """Ask open event streams to end (from any thread), so a server can stop without cutting them."""
        self.closing = True

    @classmethod
    def build(cls, runtime: LedgerRuntime, settings: ApiSettings) -> "ApiContext":
        node = runtime.node
        return cls(runtime, settings, TokenBook(runtime.api_tokens), ApiMetrics(lambda: node.height),
                   BlockIndex(node), TicketBook())


async def api_context(request: Request) -> ApiContext:
    return request.app.state.api
