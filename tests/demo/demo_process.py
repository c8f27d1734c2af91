"""The demo in a process of its own, for a test that needs it to end: composed as ``inzira demo`` composes it,
its URL written as one JSON line once it serves, stopped when its standard input closes. Unlike ``inzira demo``
it leaves the collector unfrozen, so what the demo left open is finalized, and reported on standard error, as
the process ends.

    python -m tests.demo.demo_process DATA_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from inzira.demo.app import Demo

STDIN_CHARS_MAX = 1


def main(data_dir: str) -> None:
    demo = Demo(Path(data_dir), port=0)
    demo.start()
    try:
        sys.stdout.write(json.dumps({"url": demo.url.rstrip("/")}) + "\n")
        sys.stdout.flush()
        while sys.stdin.read(STDIN_CHARS_MAX):  # until the test closes our standard input
            continue
    finally:
        demo.stop()


if __name__ == "__main__":
    main(sys.argv[1])
