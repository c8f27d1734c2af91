"""The running state of a local network (NATS URLs, peer pids), so later commands can find and stop it."""

from __future__ import annotations

from pathlib import Path

import msgspec

from inzira.durable_files import write_durable
from inzira.json_files import parse_typed, read_bounded

STATE_FILE = "network-state.json"
STATE_BYTES_MAX = 256 * 1024


class NetworkState(msgspec.Struct, kw_only=True):
    nats_urls: list[str]
    external_nats: bool = False  # the NATS servers belong to someone else: `down` leaves them alone
    peers: dict[str, int] = {}  # member -> pid
    nats_admin_seed: str = ""  # the seed file of the NATS servers' admin user (it creates the streams)
    nats_admin_inbox: str = ""


def read_state(folder: Path) -> NetworkState | None:
    path = folder / STATE_FILE
    if not path.exists():
        return None
    return parse_typed(path, read_bounded(path, STATE_BYTES_MAX), NetworkState)


def write_state(folder: Path, state: NetworkState) -> None:
    write_durable(folder / STATE_FILE, msgspec.json.format(msgspec.json.encode(state), indent=2) + b"\n")


def remove_state(folder: Path) -> None:
    (folder / STATE_FILE).unlink(missing_ok=True)
