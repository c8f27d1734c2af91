"""What an object holds, as a test needs to see it: every object of a kind reachable from a root (key pairs,
for key custody; client sessions, for what a stopped service left open)."""

from __future__ import annotations

import asyncio
import gc
import sys
import types
from typing import TypeVar

from inzira.node.node import Node

GRAPH_OBJECTS_MAX = 2_000_000
T = TypeVar("T")


def reachable(root: object, kind: type[T]) -> list[T]:
    """Every ``kind`` reachable from ``root`` (not looked into). Module globals are not followed (they reach
    everything loaded, the test's own composition included), nor an event loop (a pooled connection reaches
    its loop, and the loop every task running on it), nor the node (it holds only public keys and state)."""
    module_dicts = {id(vars(m)) for m in list(sys.modules.values()) if m is not None}
    seen: set[int] = set()
    found: list[T] = []
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in module_dicts:
            continue
        seen.add(id(obj))
        if len(seen) > GRAPH_OBJECTS_MAX:
            raise AssertionError("object graph larger than expected")
        if isinstance(obj, kind):
            found.append(obj)
            continue
        if isinstance(obj, (type, types.ModuleType, asyncio.AbstractEventLoop, Node, str, bytes, int, float)):
            continue
        stack.extend(gc.get_referents(obj))
    return found
