"""Files that must survive: a kill -9 or a power cut never leaves one torn, empty or readable by others.

A kill is a real SIGKILL of a child process the moment it created the file it writes; a power cut cannot be
staged here, so what it depends on (the file synced before its rename, the folder after) is observed on the
calls to the kernel.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from inzira.crypto.keygen import generate_keypair
from inzira.interop.mojaloop.gateway import SECRET_FILE, fulfilment_secret
from inzira.ledger.receipt import receipt_json
from inzira.node.keystore import load_key, save_key
from inzira.node.reader import ChainReader
from inzira.peer.config import API_KEYS_FILE, load_api_token, save_peer_keys
from inzira.remit.secrets_files import SECRET_BYTES, secret_key
from inzira.web.qr.demo_customers import DEMO_FILE, DemoCustomers, _load, _save
from tests.durability.killing import killed_while_creating
from tests.node.helpers import build_sample_chain

CUSTOMERS = DemoCustomers(merchant_id="m-1", merchant_name="Shop (demo)", merchant_token="mt-1", wallet_id="w-1",
                          wallet_holder="Ana", wallet_token="wt-1")


def test_a_secret_key_whose_maker_was_killed_is_made_whole_at_the_next_start(tmp_path: Path) -> None:
    # The directory operator's hash key and each receiving FSP's fulfilment key are made this way.
    path = tmp_path / "operator" / "directory.key"
    killed_while_creating("directory.key", f"from inzira.remit.secrets_files import secret_key\n"
                                           f"from pathlib import Path\nsecret_key(Path({str(path)!r}))")
    key = secret_key(path)  # before: an empty key file, refused at every start after
    assert len(key) == SECRET_BYTES and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(path) == key


def test_the_gateways_fulfilment_key_whose_maker_was_killed_is_made_whole_at_the_next_start(tmp_path: Path) -> None:
    killed_while_creating(SECRET_FILE, f"from inzira.interop.mojaloop.gateway import fulfilment_secret\n"
                                       f"from pathlib import Path\nfulfilment_secret(Path({str(tmp_path)!r}))")
    secret = fulfilment_secret(tmp_path)  # before: RuntimeError at every start
    assert len(secret) == 32 and fulfilment_secret(tmp_path) == secret
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600


def test_a_file_rewritten_by_a_killed_process_keeps_its_previous_content(tmp_path: Path) -> None:
    _save(tmp_path / DEMO_FILE, CUSTOMERS)
    killed_while_creating(DEMO_FILE, f"from inzira.web.qr.demo_customers import _save, DemoCustomers\n"
                                     f"from pathlib import Path\n"
                                     f"_save(Path({str(tmp_path / DEMO_FILE)!r}), DemoCustomers('m-2', 'n', 't', 'w', 'h', 'u'))")
    assert _load(tmp_path / DEMO_FILE) == CUSTOMERS  # before: an empty file
    save_peer_keys(tmp_path, "cbr", generate_keypair(), "token-1", None)
    killed_while_creating(API_KEYS_FILE, f"from inzira.peer.config import save_peer_keys\n"
                                         f"from inzira.crypto.keygen import generate_keypair\n"
                                         f"from pathlib import Path\n"
                                         f"save_peer_keys(Path({str(tmp_path)!r}), 'cbr', generate_keypair(), 't2', None)")
    assert load_api_token(tmp_path, "cbr") == "token-1"
    assert stat.S_IMODE((tmp_path / API_KEYS_FILE).stat().st_mode) == 0o600


def test_a_leftover_temporary_file_never_sees_the_secret(tmp_path: Path) -> None:
    # A .tmp left readable by others (a kill, an older version), and someone who opened it: the key written next
    # must not pass through it, even for the moment before a chmod.
    path = tmp_path / "keys" / "cbr.key"
    path.parent.mkdir(mode=0o700)
    leftover = path.with_name(path.name + ".tmp")
    leftover.write_bytes(b"")
    leftover.chmod(0o644)
    key = generate_keypair()
    with leftover.open("rb") as reader:
        save_key(path, "cbr", key)
        assert reader.read() == b""
    assert load_key(path).seed == key.seed
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and not leftover.exists()


def test_a_key_file_is_synced_before_its_rename_and_its_folder_after(tmp_path: Path,
                                                                     kernel_calls: list[str]) -> None:
    save_key(tmp_path / "keys" / "cbr.key", "cbr", generate_keypair())
    assert kernel_calls[-3:] == ["sync file", "rename", "sync folder"]
    assert json.loads((tmp_path / "keys" / "cbr.key").read_text())["name"] == "cbr"


def test_a_receipt_export_killed_while_writing_leaves_the_earlier_receipt_whole(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    ids = build_sample_chain(folder)
    out = tmp_path / "receipt.json"
    earlier = receipt_json(ChainReader(folder).receipt(ids[0]))  # type: ignore[arg-type]
    out.write_bytes(earlier)
    argv = ["inzira", "receipt", "export", ids[1].hex(), "--data", str(folder), "-o", str(out)]
    killed_while_creating(out.name, f"import sys\nsys.argv = {argv!r}\nfrom inzira.cli.main import app\napp()")
    assert out.read_bytes() == earlier  # before: an empty file
