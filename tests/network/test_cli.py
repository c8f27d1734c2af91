"""`inzira network up / status / down` as a user runs them: separate processes, its own NATS servers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from inzira.deploy.links import Links
from inzira.deploy.member import MemberDeployment
from inzira.network.processes import pid_is_ours
from inzira.peer.folder_lock import FolderLock
from tests.network.helpers import wait_until

PEERS = "cbr,sbk,mobimo"
COMMAND_TIMEOUT_S = 180


def inzira(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "inzira.cli.main", *args, "--json"], capture_output=True,
                          text=True, timeout=COMMAND_TIMEOUT_S)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def _alive(pid: int, marker: str) -> bool:
    return pid_is_ours(pid, marker)


@pytest.mark.timeout(300)
def test_up_status_down_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "net"
    peers: dict[str, dict[str, Any]] = {}
    try:
        up = inzira("network", "up", "--data", str(folder), "--peers", PEERS)
        peers = {p["member"]: p for p in up["peers"]}
        assert sorted(peers) == sorted(PEERS.split(",")) and len(up["nats_urls"]) == 3
        assert all(p["may_cut_blocks"] for p in peers.values())
        assert up["seeded"]["opened"] > 0 and up["seeded"]["skipped"], up["seeded"]  # eurosend's peer is not up
        token = json.loads(Path(peers["mobimo"]["token_file"]).read_text())["mobimo"]

        def funded() -> bool:
            # The issuer's peer confirmed the funding; mobimo's own peer stores that block a moment later.
            account = httpx.get(f"{peers['mobimo']['api_url']}/v1/accounts/mobimo:rwf",
                                headers={"Authorization": f"Bearer {token}"}, timeout=10)
            return account.status_code == 200 and account.json()["balance_minor"] == 200_000_000

        wait_until("mobimo's peer to hold its funding", funded, timeout_s=30)

        status = inzira("network", "status", "--data", str(folder))
        tips = {(s["height"], s["block_hash"], s["state_hash"]) for s in status["peers"].values()}
        assert len(tips) == 1 and next(iter(tips))[0] > 0
        assert all(s["ready"] and not s["problem"] for s in status["peers"].values())
        assert sum(s["role"] == "cutter" for s in status["peers"].values()) == 1
        assert [n["healthy"] for n in status["nats"]] == [True, True, True]
        again = inzira("network", "up", "--data", str(folder), "--peers", PEERS, "--no-seed")
        assert {p["pid"] for p in again["peers"]} == {p["pid"] for p in up["peers"]}  # nothing restarted
        assert again["run_elsewhere"] == []
        _one_member_run_elsewhere(folder, peers)
    finally:
        down = inzira("network", "down", "--data", str(folder))
    assert sorted(s for s in down["stopped"] if s.startswith("peer")) == sorted(f"peer {m}" for m in PEERS.split(","))
    assert sum(s.startswith("nats") for s in down["stopped"]) == 3
    for member, p in peers.items():
        assert not _alive(p["pid"], str(folder / "peers" / member)), f"peer {member} still running"
    assert not os.path.exists(folder / "network-state.json")
    stopped = subprocess.run([sys.executable, "-m", "inzira.cli.main", "network", "status", "--data", str(folder)],
                             capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    assert stopped.returncode == 1 and "nothing is running" in stopped.stdout, stopped.stdout + stopped.stderr
    stopped_json = subprocess.run([sys.executable, "-m", "inzira.cli.main", "network", "status", "--data",
                                   str(folder), "--json"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    assert stopped_json.returncode == 1 and json.loads(stopped_json.stdout)["peers"] == {}, stopped_json.stdout


def _one_member_run_elsewhere(folder: Path, peers: dict[str, dict[str, Any]]) -> None:
    """README: stop a member's peer (`network stop`), run it as its own deployment; `up` leaves it to that
    process (here this test holds the folder, as `inzira remit serve` does) rather than start a second peer
    on the same store, and starts it again once the folder is free."""
    mobimo = folder / "peers" / "mobimo"
    stopped = inzira("network", "stop", "mobimo", "--data", str(folder))
    assert stopped == {"stopped": ["peer mobimo"], "peer_folder": str(mobimo)}
    assert not _alive(peers["mobimo"]["pid"], str(mobimo))
    again = subprocess.run([sys.executable, "-m", "inzira.cli.main", "network", "stop", "mobimo", "--data",
                            str(folder)], capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    assert again.returncode == 1 and "peer mobimo is not running" in again.stderr, again.stdout + again.stderr
    own_deployment = FolderLock.take(mobimo)
    try:
        up = inzira("network", "up", "--data", str(folder), "--peers", PEERS)
        assert up["run_elsewhere"] == ["mobimo"] and "mobimo" not in {p["member"] for p in up["peers"]}, up
        # Its accounts were seeded before: the regulator's peer shows them funded, so none is "left for later".
        assert not [a for a in up["seeded"]["skipped"] if a.startswith("mobimo:")], up["seeded"]
        assert "eurosend:eur" in up["seeded"]["skipped"], up["seeded"]  # never opened: eurosend's peer never ran
        assert inzira("network", "status", "--data", str(folder))["peers"].keys() == {"cbr", "sbk"}
    finally:
        own_deployment.release()
    up = inzira("network", "up", "--data", str(folder), "--peers", PEERS, "--no-seed")
    peers["mobimo"] = next(p for p in up["peers"] if p["member"] == "mobimo")
    assert up["run_elsewhere"] == [] and _alive(peers["mobimo"]["pid"], str(mobimo))


def test_down_on_a_file_is_a_clean_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "network"
    not_a_folder.write_text("{}")
    done = subprocess.run([sys.executable, "-m", "inzira.cli.main", "network", "down", "--data", str(not_a_folder),
                           "--json"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["error"]["message"].startswith(f"no network in {not_a_folder}: Not a directory")


def _urls(up: dict[str, Any]) -> dict[str, str]:
    return {p["member"]: p["api_url"] for p in up["peers"]}


@pytest.mark.timeout(300)
def test_up_down_up_keeps_the_urls_links_files_name(tmp_path: Path) -> None:
    """Links files name the peers' URLs: a network brought down and up again answers at the same ones (NATS
    too, which a member's own deployment keeps in its peer.json); a port taken meanwhile is said, not hidden."""
    folder = tmp_path / "net"
    peers = "cbr,mobimo"
    try:
        first = inzira("network", "up", "--data", str(folder), "--servers", "1", "--peers", peers, "--no-seed")
        inzira("network", "down", "--data", str(folder))
        again = inzira("network", "up", "--data", str(folder), "--servers", "1", "--peers", peers, "--no-seed")
        assert _urls(again) == _urls(first) and again["nats_urls"] == first["nats_urls"], (first, again)
        assert again["port_changes"] == []
        peer_json = json.loads((folder / "peers" / "mobimo" / "peer.json").read_text())
        assert f"http://127.0.0.1:{peer_json['api_port']}" == _urls(first)["mobimo"]  # `remit serve` listens there too
        inzira("network", "down", "--data", str(folder))
        old = _urls(first)["cbr"]
        with socket.socket() as squatter:  # another process took cbr's port while the network was down
            squatter.bind(("127.0.0.1", int(old.rsplit(":", 1)[1])))
            squatter.listen()
            moved = inzira("network", "up", "--data", str(folder), "--servers", "1", "--peers", peers, "--no-seed")
        assert _urls(moved)["mobimo"] == _urls(first)["mobimo"] and _urls(moved)["cbr"] != old
        assert len(moved["port_changes"]) == 1 and old in moved["port_changes"][0], moved["port_changes"]
        assert _urls(moved)["cbr"] in moved["port_changes"][0]
    finally:
        inzira("network", "down", "--data", str(folder))


@pytest.mark.timeout(300)
def test_status_shows_a_members_own_deployment(tmp_path: Path) -> None:
    """`network status` lists the members running their own deployment too (`inzira remit serve`, here the same
    deployment in this process), with its pid, its API URL and its peer's status."""
    folder = tmp_path / "net"
    try:
        up = inzira("network", "up", "--data", str(folder), "--servers", "1", "--peers", "cbr,mobimo", "--no-seed")
        inzira("network", "stop", "MobiMo", "--data", str(folder))  # as a member's name is written
        with MemberDeployment(folder / "peers" / "mobimo", Links()) as mobimo:
            assert mobimo.served is not None and mobimo.served.base_url == _urls(up)["mobimo"]
            status = inzira("network", "status", "--data", str(folder))
            own = status["own_deployments"]
            assert status["peers"].keys() == {"cbr"} and own.keys() == {"mobimo"}, status
            assert own["mobimo"]["pid"] == os.getpid() and own["mobimo"]["api_url"] == mobimo.served.base_url
            assert own["mobimo"]["status"]["member"] == "mobimo" and own["mobimo"]["status"]["ready"]
            text = subprocess.run([sys.executable, "-m", "inzira.cli.main", "network", "status", "--data",
                                   str(folder)], capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
            line = f"mobimo: own deployment (inzira remit serve), pid {os.getpid()}, {mobimo.served.base_url}"
            assert line in text.stdout, text.stdout + text.stderr
        assert inzira("network", "status", "--data", str(folder))["own_deployments"] == {}
        shown = subprocess.run([sys.executable, "-m", "inzira.cli.main", "network", "status", "--help"],
                               capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, env={**os.environ,
                                                                                          "COLUMNS": "200"})
        assert "own deployment" in shown.stdout, shown.stdout  # its help says what it shows, as the README does
    finally:
        inzira("network", "down", "--data", str(folder))
