"""`inzira remit serve` refuses what cannot work before anything starts: a links file whose fields have the
wrong JSON type (a string where a list belongs), a --host it cannot listen on, a port in use. The FX provider's
rates file (its links' rates_file) is refused by field too."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from inzira.deploy.links import Links
from inzira.fx.rates import RateError, RateTable
from inzira.peer.config import PeerConfig, save_config

UNREACHABLE_NATS = "nats://127.0.0.1:9"
NOW_MS = 1_796_634_000_000  # 2026-12-07T09:00:00Z  # never reached: every refusal here comes first


def _links(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "links.json"
    path.write_text(json.dumps(doc))
    return path


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inzira.cli.main", "remit", "serve", *args],
                          capture_output=True, text=True, timeout=60)


def test_a_links_file_reads_every_field(tmp_path: Path) -> None:
    links = Links.load(_links(tmp_path, {"fx_url": "https://fx", "fx_token": "t", "funding_urls": {"sbk": "https://s"},
                                         "wallet_currencies": ["CNY", "USD"], "payout": {"kind": "momo-http"},
                                         "rates_file": "rates.json", "rates_max_age_s": 3_600,
                                         "receiving_fsp_urls": {"mobimo": "http://mobimo.example:8000"},
                                         "webhook_allowed_networks": ["10.20.0.0/16", "fd00::/8"]}))
    assert links.rates_max_age_s == 3_600 and Links().rates_max_age_s == 86_400
    assert links.webhook_allowed_networks == ("10.20.0.0/16", "fd00::/8") and Links().webhook_allowed_networks == ()
    assert links.wallet_currencies == ("CNY", "USD") and links.funding_urls == {"sbk": "https://s"}
    assert links.fx_url == "https://fx" and links.fx_member == "imari-fx"
    assert links.receiving_fsp_urls == {"mobimo": "http://mobimo.example:8000"} and Links().receiving_fsp_urls == {}
    for base_url in ("https://momo.example", "http://127.0.0.1:8091", "http://localhost:8091", "http://[::1]:8091"):
        payout = {"kind": "momo-http", "base_url": base_url}
        assert Links.load(_links(tmp_path, {"payout": payout})).payout == payout
    # Relative to the links file's folder, not to wherever the command is run from; an absolute path as written.
    assert links.rates_file == tmp_path / "rates.json"
    elsewhere = tmp_path / "other" / "rates.json"
    assert Links.load(_links(tmp_path, {"rates_file": str(elsewhere)})).rates_file == elsewhere


@pytest.mark.parametrize(("doc", "says"), [
    ({"wallet_currencies": "CNY"}, 'wallet_currencies must be a list of currency codes, such as ["CNY"], not a string'),
    ({"wallet_currencies": [1]}, "wallet_currencies must be a list of at most 32 currency codes"),
    ({"fx_url": ["http://fx"]}, "fx_url must be a string, not a list"),
    ({"fx_token": 42}, "fx_token must be a string, not a number"),
    ({"fx_member": None}, "fx_member must be a string, not null"),
    ({"rates_file": ["a.json"]}, "rates_file must be a string, not a list"),
    ({"funding_urls": "http://sbk"}, "funding_urls must be an object mapping issuers to URLs"),
    ({"funding_urls": ["http://sbk"]}, "not a list"),
    ({"payout": "momo-http"}, "payout must be a payout adapter configuration object, not a string"),
    # A client token over plain http:// to another machine crosses the network in clear (loopback is this host).
    ({"fx_url": "http://fx.example", "fx_token": "t"}, "fx_url: http://fx.example is plain http:// to fx.example"),
    ({"directory_url": "http://10.20.0.5:8000"}, "directory_url: http://10.20.0.5:8000 is plain http://"),
    ({"funding_urls": {"sbk": "http://[::ffff:a14:5]"}}, "funding_urls.sbk: http://[::ffff:a14:5] is plain http://"),
    ({"fx_url": "127.0.0.1:8000"}, "fx_url: '127.0.0.1:8000' is not an HTTP URL"),
    # The payout adapter sends the operator's API key and its access token to its base_url.
    ({"payout": {"kind": "momo-http", "base_url": "http://momo.example:8091"}},
     "payout.base_url: http://momo.example:8091 is plain http:// to momo.example"),
    ({"payout": {"kind": "momo-http", "base_url": "momo.example"}},
     "payout.base_url: 'momo.example' is not an HTTP URL"),
    ({"payout": {"kind": "momo-http", "base_url": ["https://momo.example"]}}, "payout.base_url must be a string"),
    ({"rates_max_age_s": "3600"}, "rates_max_age_s must be a whole number of seconds from 60 to 604800"),
    ({"rates_max_age_s": True}, "rates_max_age_s must be a whole number of seconds"),
    ({"rates_max_age_s": 3600.0}, "rates_max_age_s must be a whole number of seconds"),
    ({"rates_max_age_s": 59}, "rates_max_age_s must be a whole number of seconds"),
    ({"rates_max_age_s": 604_801}, "rates_max_age_s must be a whole number of seconds"),
    ({"webhook_allowed_networks": "10.20.0.0/16"},
     'webhook_allowed_networks must be a list of IP networks, such as ["10.20.0.0/16"], not a string'),
    ({"webhook_allowed_networks": ["10.20.0.5/16"]},  # host bits set: refused, as --webhook-allow refuses it
     "webhook_allowed_networks must list IP networks such as 10.20.0.0/16 or 127.0.0.1/32, not '10.20.0.5/16'"),
    ({"webhook_allowed_networks": ["partner.example"]}, "webhook_allowed_networks must list IP networks"),
    ({"webhook_allowed_networks": [1]}, "webhook_allowed_networks must list IP networks such as 10.20.0.0/16 or "
                                        "127.0.0.1/32, not 1"),
    ({"webhook_allowed_networks": ["10.0.0.0/8"] * 65}, "webhook_allowed_networks lists at most 64 networks"),
    ({"receiving_fsp_urls": "http://mobimo"}, "receiving_fsp_urls must be an object mapping receiving FSPs to their "
                                              "deployments' URLs, such as {\"mobimo\": \"http://...\"}, not a string"),
    ({"receiving_fsp_urls": {"mobimo": 8000}}, "receiving_fsp_urls must map each receiving FSP to an http:// or "
                                               "https:// URL, not mobimo: 8000"),
    ({"receiving_fsp_urls": {"mobimo": "mobimo.example"}}, "an http:// or https:// URL"),
])
def test_a_links_field_of_the_wrong_type_is_refused_by_name(tmp_path: Path, doc: dict, says: str) -> None:
    path = _links(tmp_path, doc)
    with pytest.raises(ValueError) as refused:
        Links.load(path)
    assert says in str(refused.value) and str(path) in str(refused.value)


def test_serve_names_a_wallet_currencies_string_before_starting(tmp_path: Path) -> None:
    path = _links(tmp_path, {"wallet_currencies": "CNY"})
    done = _serve("--peer", str(tmp_path), "--links", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr  # a file to fix: a usage error
    assert "wallet_currencies must be a list" in " ".join(done.stderr.split())


def test_serve_refuses_a_host_or_port_it_cannot_listen_on_before_starting(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        save_config(tmp_path, PeerConfig(member="mobimo", nats_urls=[UNREACHABLE_NATS], api_port=port))
        in_use = _serve("--peer", str(tmp_path))
    assert in_use.returncode == 1 and f"127.0.0.1:{port} is in use" in in_use.stderr, in_use.stderr
    bad = _serve("--peer", str(tmp_path), "--host", "256.1.1.1", "--port", "0")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr, bad.stderr
    assert "--host 256.1.1.1 is not an IPv4 address" in " ".join(bad.stderr.split()), bad.stderr
    save_config(tmp_path, PeerConfig(member="mobimo", nats_urls=[UNREACHABLE_NATS], api_host="256.1.1.1"))
    configured = _serve("--peer", str(tmp_path))
    assert f"api_host in {tmp_path / 'peer.json'} 256.1.1.1 is not an IPv4 address" in " ".join(
        configured.stderr.split()), configured.stderr
    out_of_range = _serve("--peer", str(tmp_path), "--port", "70000")
    assert out_of_range.returncode == 2 and "--port" in out_of_range.stderr


@pytest.mark.parametrize(("doc", "says"), [
    ({"rwf_per_unit": "RWF=1"}, "rwf_per_unit maps currency codes to RWF per unit"),
    ({"rates": {"RWF": "1"}}, "rwf_per_unit maps currency codes to RWF per unit"),
    (["RWF", "1"], "rwf_per_unit maps currency codes to RWF per unit"),
    ({"rwf_per_unit": {"RWF": "1"}, "as_of": ["2026-12-01"]}, "as_of must be the time the rates were priced"),
])
def test_a_rates_file_of_the_wrong_shape_is_refused_by_field(tmp_path: Path, doc: object, says: str) -> None:
    path = tmp_path / "rates.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(RateError) as refused:
        RateTable.load(path, NOW_MS)
    assert says in str(refused.value) and str(path) in str(refused.value)
    path.write_text(json.dumps({"rwf_per_unit": {"RWF": "1", "EUR": "1585.40"}, "as_of": "2026-12-07T08:00:00Z"}))
    assert RateTable.load(path, NOW_MS).mid("EUR", "RWF") == Decimal("1585.40")


def test_serve_names_an_unusable_allowed_hosts_entry_in_peer_json(tmp_path: Path) -> None:
    (tmp_path / "peer.json").write_text(json.dumps({"member": "mobimo", "nats_urls": [UNREACHABLE_NATS],
                                                    "allowed_hosts": ["pay.example.rw", "*.example.rw"]}))
    done = _serve("--peer", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "allowed_hosts entry '*.example.rw' is not a DNS name" in " ".join(done.stderr.split()), done.stderr
