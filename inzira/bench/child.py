"""A party of the benchmark in a process of its own (an operator's system, the FX provider's desk): spawned,
its (base URL, pid) awaited, stopped when the block ends."""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any

START_TIMEOUT_S = 30.0


@contextlib.contextmanager
def served_child(target: Callable[[Any, Any], None], config: Any, what: str) -> Iterator[tuple[str, int]]:
    """``target(config, conn)`` serves, sends (base URL, pid) on ``conn``, and returns once it receives again."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=target, args=(config, child), daemon=True)
    process.start()
    try:
        if not parent.poll(START_TIMEOUT_S):
            raise RuntimeError(f"{what} did not start")
        yield parent.recv()
    finally:
        with contextlib.suppress(OSError):
            parent.send("stop")
        process.join(START_TIMEOUT_S)
        if process.is_alive():
            process.kill()
