"""Run one peer as its own process: ``python -m inzira.peer PEER_FOLDER``.

Serves the peer's API (address in ``peer-run.json`` once it listens; with the directory operator's API when
this member runs the directory, see ``inzira.directory.deployment``), follows and validates the chain,
cuts blocks when it holds the lease, until SIGTERM or SIGINT. Exits non-zero when the peer stopped on an
error (the run file is removed either way).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

from inzira.api.server import serve_in_thread
from inzira.directory.api import mount_directory
from inzira.directory.deployment import operator_for_peer
from inzira.peer.api import build_app
from inzira.peer.config import RUN_FILE, write_run_file
from inzira.peer.folder_lock import PeerFolderBusyError
from inzira.peer.service import Peer
from inzira.process import tune_gc

WATCH_INTERVAL_S = 0.5
API_STOP_TIMEOUT_MS = 2_000
API_GRACEFUL_S = 1

log = logging.getLogger("inzira.peer")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print("usage: python -m inzira.peer PEER_FOLDER", file=sys.stderr)
        return 0 if argv[1:] in (["-h"], ["--help"]) else 2
    folder = Path(argv[1]).resolve()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        peer = Peer(folder)
        directory = operator_for_peer(folder, peer.port)  # a directory.json it cannot use: refused here too
    except (OSError, ValueError, PeerFolderBusyError) as exc:
        print(f"error: cannot start the peer in {folder}: {exc}", file=sys.stderr)
        return 2
    app = build_app(peer)
    if directory is not None:
        mount_directory(app, directory)
    # Short graceful stops: `inzira network down` waits 15 s before SIGKILL, and a submit may be waiting.
    served, port = serve_in_thread(app, peer.config.api_host, peer.config.api_port,
                                   stop_timeout_ms=API_STOP_TIMEOUT_MS, graceful_s=API_GRACEFUL_S,
                                   allowed_hosts=peer.config.allowed_hosts)
    peer.api_url = f"http://{peer.config.api_host}:{port}"
    peer.start()
    tune_gc()
    write_run_file(folder, peer.member, peer.api_url)
    log.info("peer %s serving %s", peer.member, peer.api_url)
    try:
        while not stopping.wait(WATCH_INTERVAL_S):
            if peer.ended:
                break
    finally:
        (folder / RUN_FILE).unlink(missing_ok=True)
        log.info("peer %s stopping", peer.member)
        served.stop()
        peer.stop()
        if directory is not None:
            directory.close()
        log.info("peer %s stopped", peer.member)
    return 1 if peer.crashed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
