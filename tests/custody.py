"""What a test needs to see key custody: every key pair reachable from an object (a service, a desk)."""

from __future__ import annotations

import asyncio
import gc
import sys
import types

from inzira.crypto import KeyPair
from inzira.node.node import Node

GRAPH_OBJECTS_MAX = 2_000_000


def signing_keys(root: object) -> set[bytes]:
    """The public keys of every key pair reachable from ``root``. Module globals are not followed (they reach
    everything loaded, the test's own composition included), nor an event loop (a pooled connection reaches
    its loop, and the loop every task running on it), nor the node (it holds only public keys)."""
    module_dicts = {id(vars(m)) for m in list(sys.modules.values()) if m is not None}
    seen: set[int] = set()
    found: set[bytes] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in module_dicts:
            continue
        seen.add(id(obj))
        if len(seen) > GRAPH_OBJECTS_MAX:
            raise AssertionError("object graph larger than expected")
        if isinstance(obj, KeyPair):
            found.add(obj.public_key)
            continue
        if isinstance(obj, (type, types.ModuleType, asyncio.AbstractEventLoop, Node, str, bytes, int, float)):
            continue
        stack.extend(gc.get_referents(obj))
    return found


def members_signing(root: object, node: Node) -> set[str]:
    """The members whose keys are reachable from ``root``."""
    owner = {key: m.id for m in node.state.members.values() for key in m.keys}
    return {owner[k] for k in signing_keys(root) if k in owner}
