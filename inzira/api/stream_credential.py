"""What let an open event stream in, asked again while it is open (``inzira.api.held_stream``).

A ``Credential`` answers None while it still holds, else the ``Lapse`` saying why not. Each is a few dict
lookups: it is asked before every chunk a stream sends. Kinds of lapse, with the code the same request would
be refused with now:

- ``session_ended`` (3040): the page session was signed out, expired or dropped;
- ``member_removed`` (4300): the member is no longer in the network's state;
- ``role_removed`` (4300): the member no longer holds the ledger role that gave the stream what it shows;
- ``token_replaced`` (3040): a merchant's or wallet's token was replaced or revoked (``inzira.qr.api.streams``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass

from inzira.api.codes import ApiCode
from inzira.api.visibility import SEES_ALL_ROLES, Caller
from inzira.ledger.codes import Code
from inzira.ledger.state import State
from inzira.node.node import Node


@dataclass(frozen=True, slots=True)
class Lapse:
    reason: str
    code: int
    detail: str

    def frame(self) -> bytes:
        """The stream's last frame."""
        data = {"reason": self.reason, "code": self.code, "detail": self.detail}
        return f"event: closed\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


Credential = Callable[[], Lapse | None]

SESSION_ENDED = Lapse("session_ended", ApiCode.UNAUTHENTICATED, "the session has ended: sign in again")


def member_lapse(state: State, member: str, roles_any: Collection[str] = ()) -> Lapse | None:
    """Why ``member`` no longer qualifies: gone from the state, or holding none of ``roles_any`` (when given)."""
    if member not in state.members:
        return Lapse("member_removed", Code.PERMISSION, f"{member} is no longer a member of this network")
    if roles_any and not any(state.holds_role(member, role) for role in roles_any):
        return Lapse("role_removed", Code.PERMISSION, f"{member} no longer holds the role {' or '.join(roles_any)}")
    return None


def caller_credential(node: Node, caller: Caller) -> Credential:
    """An API caller's stream: the member still in the network and, if it saw every member's events, still
    holding a role that sees all (the node's state is read afresh each time)."""
    roles_any = sorted(caller.roles & SEES_ALL_ROLES)
    return lambda: member_lapse(node.state, caller.member, roles_any)


def session_credential(alive: Callable[[], bool], holds: Credential | None = None) -> Credential:
    """A page's stream: its session still open (``alive``), then whatever else its page asks (``holds``)."""
    def check() -> Lapse | None:
        if not alive():
            return SESSION_ENDED
        return holds() if holds is not None else None

    return check
