"""One process at a time runs a peer folder: a second peer on it (`inzira network up` while `inzira remit serve`
runs that member, or two `remit serve`) is refused before it opens the store, naming the process that holds it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inzira.cli.main import app

from inzira.network.layout import NetworkSettings, create_network, write_peer_config
from inzira.node.signer import wall_clock_ms
from inzira.peer.folder_lock import LOCK_FILE, FolderLock, PeerFolderBusyError, holder_pid, is_held
from inzira.peer.service import Peer

PROCESS_TIMEOUT_S = 60
UNUSED_NATS = ["nats://127.0.0.1:9"]  # a Peer connects only on start(): none of these peers is started
LOOKS = 3_000  # is_held calls racing a peer's start: enough for a lock taken by the look to collide
LOOK_JOIN_S = 60.0
HOLDER = ("import sys; from pathlib import Path; from inzira.peer.folder_lock import FolderLock; "
          "lock = FolderLock.take(Path(sys.argv[1])); print('held', flush=True); sys.stdin.read()")


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    network = tmp_path / "network"
    manifest = create_network(network, ["cbr"], NetworkSettings(replicas=1), wall_clock_ms())
    return write_peer_config(network, manifest, "mobimo", UNUSED_NATS, quorum=1)


def test_a_second_peer_on_a_held_folder_is_refused_and_names_the_holder(folder: Path) -> None:
    first = Peer(folder)
    try:
        assert is_held(folder)
        with pytest.raises(PeerFolderBusyError) as refused:
            Peer(folder)
        assert refused.value.pid is not None and str(refused.value.pid) in str(refused.value)
        done = subprocess.run([sys.executable, "-m", "inzira.peer", str(folder)], capture_output=True, text=True,
                              timeout=PROCESS_TIMEOUT_S)
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"already runs the peer in {folder}" in done.stderr and "stop it first" in done.stderr, done.stderr
    finally:
        first.stop()
    assert not is_held(folder)
    Peer(folder).stop()  # free again once the first stopped


def test_looking_whether_a_folder_is_held_never_takes_its_lock(folder: Path) -> None:
    """``network status`` and ``network up`` look at folders while a member may be starting ``remit serve`` on
    one: the look must neither refuse that start nor overwrite the pid the lock file names."""
    (folder / LOCK_FILE).write_text("4242\n")  # the last holder's pid, as a peer that stopped leaves it
    assert not is_held(folder) and holder_pid(folder) == 4242
    done = threading.Event()
    looked: list[bool] = []

    def look() -> None:
        try:
            for _ in range(LOOKS):
                looked.append(is_held(folder))
        finally:
            done.set()

    looker = threading.Thread(target=look, daemon=True)
    looker.start()
    refused = 0
    try:
        while not done.is_set():  # ends with the looker's bounded loop
            try:
                FolderLock.take(folder).release()
            except PeerFolderBusyError:
                refused += 1
    finally:
        looker.join(timeout=LOOK_JOIN_S)
    assert not looker.is_alive() and len(looked) == LOOKS
    assert refused == 0, f"{refused} starts were refused because a look held the lock"
    assert holder_pid(folder) == os.getpid()  # the last start's, never a look's overwrite of a free folder's


def test_a_lock_held_by_another_process_is_seen_and_its_death_frees_the_folder(folder: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert is_held(folder) and holder_pid(folder) == holder.pid
        with pytest.raises(PeerFolderBusyError):
            FolderLock.take(folder)
        holder.kill()  # SIGKILL: no clean release, the kernel drops the lock with the process
        holder.wait(timeout=PROCESS_TIMEOUT_S)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=PROCESS_TIMEOUT_S)
    assert not is_held(folder)
    FolderLock.take(folder).release()


def test_remit_serve_on_a_running_peer_names_its_process_and_how_to_stop_it(tmp_path: Path) -> None:
    """The README's promise: a second `remit serve` is refused naming the first's pid. The running peer listens
    on the folder's api_port, so the port check came first and said only "in use: choose another --port"."""
    network = tmp_path / "network"
    manifest = create_network(network, ["cbr"], NetworkSettings(replicas=1), wall_clock_ms())
    with socket.socket() as listening:  # the running peer's API, on the port its folder names
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        folder = write_peer_config(network, manifest, "mobimo", UNUSED_NATS, quorum=1,
                                   api_port=listening.getsockname()[1])
        first = Peer(folder)
        try:
            refused = CliRunner().invoke(app, ["remit", "serve", "--peer", str(folder)], terminal_width=400)
        finally:
            first.stop()
    text = " ".join(refused.output.split())
    assert refused.exit_code == 1, text
    assert f"process {os.getpid()} already runs the peer in {folder}" in text and "is in use" not in text, text
    assert "inzira network stop mobimo" in text
