"""A local JSON file someone broke (cut short, not JSON, nested too deep, not UTF-8, of another shape) is refused
with a message naming the file, never a traceback: by every reader of such files, and by the commands that read
them, which exit 2 (a file to fix, as a usage error)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inzira.api.token_files import TokenFileError, ensure_tokens, load_tokens
from inzira.demo.setup import load_api_keys
from inzira.directory.deployment import SETTINGS_FILE
from inzira.network import nats_state, network_state
from inzira.network.layout import (
    LayoutError,
    NetworkSettings,
    create_network,
    peer_folder as member_folder,
    read_manifest,
    write_peer_config,
)
from inzira.network.peer_processes import read_api_url
from inzira.network.port_plan import PortPlan, read_plan
from inzira.node.keystore import KeyFileError, load_key
from inzira.node.signer import wall_clock_ms
from inzira.peer.config import (
    API_KEYS_FILE,
    CONFIG_FILE,
    RUN_FILE,
    PeerConfig,
    PeerConfigError,
    load_api_token,
    load_config,
    save_config,
)
from inzira.peer.folder_lock import LOCK_FILE, holder_pid
from inzira.remit.secrets_files import OFFICERS_FILE, officer_tokens

PROCESS_TIMEOUT_S = 60
UNUSED_NATS = ["nats://127.0.0.1:9"]  # nothing here connects: every refusal comes first

BROKEN = {
    "cut short": b'{"mobimo": "tok',
    "not JSON": b"mobimo = tok\n",
    "nested too deep": b"[" * 100_000,
    "not UTF-8": b'{"mobimo": "\xff\xfe"}',
}
SHAPES = {"a list": b'["mobimo", "tok"]', "a number where a string belongs": b'{"mobimo": 7}'}


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)
    return path


@pytest.fixture()
def peer_folder(tmp_path: Path) -> Path:
    network = tmp_path / "network"
    manifest = create_network(network, ["cbr"], NetworkSettings(replicas=1), wall_clock_ms())
    return write_peer_config(network, manifest, "mobimo", UNUSED_NATS, quorum=1)


@pytest.mark.parametrize("data", [*BROKEN.values(), *SHAPES.values()], ids=[*BROKEN, *SHAPES])
def test_a_broken_token_file_is_refused_naming_it(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path / "fx-clients.json", data)
    officers = _write(tmp_path / OFFICERS_FILE, data)
    for read, named in ((lambda: load_tokens(path), path), (lambda: ensure_tokens(path, ["mobimo"], "fxc-"), path),
                        (lambda: officer_tokens(tmp_path, ["eurosend"]), officers)):
        with pytest.raises(TokenFileError) as refused:
            read()
        assert str(named) in str(refused.value), refused.value
    assert path.read_bytes() == data and officers.read_bytes() == data  # left as found, for its owner to mend


@pytest.mark.parametrize("data", [*BROKEN.values(), b'["mobimo"]', b'{"member": 7}'],
                         ids=[*BROKEN, "a list", "a number where a string belongs"])
def test_a_broken_peer_json_is_refused_naming_it(tmp_path: Path, data: bytes) -> None:
    save_config(tmp_path, PeerConfig(member="mobimo", nats_urls=UNUSED_NATS))
    path = _write(tmp_path / CONFIG_FILE, data)
    with pytest.raises(PeerConfigError) as refused:
        load_config(tmp_path)
    assert str(path) in str(refused.value)


def test_a_peer_json_with_a_setting_out_of_range_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / CONFIG_FILE, b'{"member": "mobimo", "nats_urls": []}')
    with pytest.raises(PeerConfigError) as refused:
        load_config(tmp_path)
    assert str(refused.value) == f"{path}: 1 to 16 NATS URLs"


@pytest.mark.parametrize("data", [*BROKEN.values(), *SHAPES.values()], ids=[*BROKEN, *SHAPES])
def test_a_broken_api_keys_file_is_refused_naming_it(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path / API_KEYS_FILE, data)
    with pytest.raises(PeerConfigError) as refused:
        load_api_token(tmp_path, "mobimo")
    assert str(path) in str(refused.value)
    with pytest.raises(ValueError) as refused_demo:
        load_api_keys(tmp_path)
    assert str(path) in str(refused_demo.value)


def _refused(read: Callable[[], Any], path: Path) -> None:
    try:
        read()
    except ValueError as exc:
        assert str(path) in str(exc), exc
    else:
        raise AssertionError(f"{path} was read")


@pytest.mark.parametrize("data", [*BROKEN.values(), b"[1, 2]"], ids=[*BROKEN, "a list"])
def test_every_other_local_json_reader_refuses_a_broken_file_by_name(tmp_path: Path, data: bytes) -> None:
    """The network's own files (its manifest, state, NATS cluster state, port plan, run files), key files and
    a peer folder's lock: a person may edit or damage them too."""
    _refused(lambda: load_key(_write(tmp_path / "keys" / "mobimo.key", data)), tmp_path / "keys" / "mobimo.key")
    _refused(lambda: read_manifest(_write(tmp_path / "m" / "network.json", data).parent), tmp_path / "m")
    _refused(lambda: network_state.read_state(_write(tmp_path / "s" / network_state.STATE_FILE, data).parent),
             tmp_path / "s" / network_state.STATE_FILE)
    _refused(lambda: nats_state.read_state(_write(tmp_path / "n" / nats_state.STATE_FILE_NAME, data).parent),
             tmp_path / "n" / nats_state.STATE_FILE_NAME)
    # Files the tools only glance at: one that is not theirs reads as none.
    assert read_api_url(_write(tmp_path / "r" / RUN_FILE, data).parent) is None
    assert read_plan(_write(tmp_path / "p" / "ports.json", data).parent) == PortPlan()
    assert holder_pid(_write(tmp_path / "l" / LOCK_FILE, data).parent) is None


def test_a_broken_key_file_is_a_key_file_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError):
        load_key(_write(tmp_path / "mobimo.key", BROKEN["nested too deep"]))
    with pytest.raises(LayoutError):
        read_manifest(_write(tmp_path / "network.json", BROKEN["not UTF-8"]).parent)


def _inzira(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inzira.cli.main", *args], capture_output=True, text=True,
                          timeout=PROCESS_TIMEOUT_S, cwd=cwd)


def _says(done: subprocess.CompletedProcess, path: Path) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and str(path) in done.stderr, done.stderr


@pytest.mark.parametrize("broken", ["nested too deep", "not UTF-8", "cut short"])
def test_remit_serve_names_a_broken_peer_json_and_exits_2(tmp_path: Path, broken: str) -> None:
    save_config(tmp_path, PeerConfig(member="mobimo", nats_urls=UNUSED_NATS))
    path = _write(tmp_path / CONFIG_FILE, BROKEN[broken])
    _says(_inzira("remit", "serve", "--peer", str(tmp_path)), path)


def test_a_peer_and_remit_serve_name_a_broken_api_keys_file_and_exit_2(peer_folder: Path) -> None:
    path = _write(peer_folder / API_KEYS_FILE, BROKEN["nested too deep"])
    _says(_inzira("remit", "serve", "--peer", str(peer_folder), "--port", "0"), path)
    peer = subprocess.run([sys.executable, "-m", "inzira.peer", str(peer_folder)], capture_output=True, text=True,
                          timeout=PROCESS_TIMEOUT_S)
    _says(peer, path)


def test_the_directory_operator_s_peer_refuses_an_account_holder_api_in_clear_text(peer_folder: Path) -> None:
    """directory.json's account-holder APIs get the operator's API key and access token, as a links file's
    payout.base_url does: plain http:// to another machine is refused by the peer's start, naming the file."""
    network = peer_folder.parents[1]
    operator = write_peer_config(network, read_manifest(network), "cbr", UNUSED_NATS, quorum=1)
    assert operator == member_folder(network, "cbr")
    path = _write(operator / SETTINGS_FILE, b'{"account_holder_apis": {"mobimo": {"kind": "momo-http", '
                                            b'"base_url": "http://10.20.30.40:8080", "api_user": "u"}}}')
    for done in (_inzira("remit", "serve", "--peer", str(operator), "--port", "0"),
                 subprocess.run([sys.executable, "-m", "inzira.peer", str(operator)], capture_output=True, text=True,
                                timeout=PROCESS_TIMEOUT_S)):
        _says(done, path)
        assert "account_holder_apis" in done.stderr and "clear" in done.stderr, done.stderr


def test_remit_send_names_a_broken_api_keys_file_and_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path / API_KEYS_FILE, BROKEN["not JSON"])
    done = _inzira("remit", "send", "--from", "eurosend", "--to", "+250788123456", "--amount", "100 EUR",
                   "--sender", "Marie Dubois", "--receiver-name", "Jeanne Uwase", "--yes", "--data", str(tmp_path),
                   "--url", "http://127.0.0.1:9")
    _says(done, path)


def test_the_demo_names_a_broken_token_file_and_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path / "data" / "fx-clients.json", BROKEN["nested too deep"])
    _says(_inzira("demo", "--data", str(path.parent), "--port", "0", "--no-seed"), path)
