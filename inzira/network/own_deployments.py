"""Members of a local network that run their peer folder themselves (``inzira remit serve``), found by the lock
their process holds on it (``peer/folder_lock.py``), so ``inzira network status`` shows the whole network."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inzira.network.layout import peer_folder
from inzira.network.peer_client import own_token, peer_status
from inzira.network.peer_processes import read_api_url
from inzira.peer.folder_lock import holder_pid, is_held


@dataclass(frozen=True, slots=True)
class OwnDeployment:
    pid: int | None  # as its lock file names it
    api_url: str | None  # from its run file, once it listens
    status: dict[str, Any] | None  # its peer's /v1/peer/status; None: no URL yet, or not answering


def own_deployments(network: Path, members: Iterable[str]) -> dict[str, OwnDeployment]:
    """Of ``members`` (those whose peer the network does not run), the ones another process runs now."""
    found: dict[str, OwnDeployment] = {}
    for member in members:
        folder = peer_folder(network, member)
        if not folder.is_dir() or not is_held(folder):
            continue
        url = read_api_url(folder)
        status = peer_status(url, token=own_token(folder, member)) if url else None
        found[member] = OwnDeployment(holder_pid(folder), url, status)
    return found
