"""Who may connect to a local NATS cluster: its admin and the listed users, in one shared authorization file.

The admin's seed is written afresh at every cluster start (`admin.nk` in the cluster folder). The admin may
do anything (create the streams, inspect them, run tests and benchmarks): a key for the operator's own
tools, never handed to a member. Every other user comes with its permissions (a member's role). A running
server reloads the file on SIGHUP; `reload_servers` signals each one and waits until it says it reloaded.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Sequence
from pathlib import Path

from inzira.network.nats_config import AUTHORIZATION_FILE, NatsUser, ServerSpec, render_authorization
from inzira.network.nats_monitor import read_config_load_time
from inzira.network.processes import ServerProcess
from inzira.ordering.jetstream.credentials import NatsCredentials, new_user_seed
from inzira.private_files import write_private

ADMIN_SEED_FILE = "admin.nk"
ADMIN_INBOX_PREFIX = "_INBOX_admin"
USERS_MAX = 10_000
RELOAD_POLL_S = 0.05


class ClusterUsers:
    def __init__(self, folder: Path, users: Sequence[NatsUser]) -> None:
        if len(users) > USERS_MAX:
            raise ValueError(f"at most {USERS_MAX} users")
        self.folder = folder
        self._users = list(users)
        self._admin: NatsUser | None = None  # set by `renew_admin`, in the process that starts the cluster

    @property
    def admin_credentials(self) -> NatsCredentials:
        return NatsCredentials(self.folder / ADMIN_SEED_FILE, ADMIN_INBOX_PREFIX)

    def renew_admin(self) -> None:
        self._admin = NatsUser(new_user_seed(self.folder / ADMIN_SEED_FILE), None)

    def add(self, users: Sequence[NatsUser]) -> None:
        if len(self._users) + len(users) > USERS_MAX:
            raise ValueError(f"at most {USERS_MAX} users")
        self._users += users

    def write(self) -> None:
        if self._admin is None:
            raise ValueError("the users are known only to the process that started the cluster")
        write_private(self.folder / AUTHORIZATION_FILE, render_authorization([self._admin, *self._users]).encode())


def reload_servers(running: Sequence[tuple[ServerSpec, ServerProcess]], timeout_ms: int) -> ServerSpec | None:
    """Has every running server reload its configuration; the first that did not within `timeout_ms`, or None."""
    loaded = [read_config_load_time(spec.monitor_url) for spec, _ in running]
    for _, proc in running:
        proc.signal(signal.SIGHUP)  # nats-server reloads its configuration files on SIGHUP
    deadline = time.monotonic() + timeout_ms / 1000
    for (spec, _), before in zip(running, loaded, strict=True):
        while read_config_load_time(spec.monitor_url) in ("", before):
            if time.monotonic() > deadline:
                return spec
            time.sleep(RELOAD_POLL_S)
    return None
