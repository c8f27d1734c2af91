"""Only members reach NATS, each within its role: what a stranger or a hostile member could try, refused.

Real servers (the session's cluster, which lets each test's members in by reloading its authorization file)
and a fresh network per test: alice and bob are plain members, carol may cut blocks. A refused publish is
dropped by the server, which tells the client (logged by our connection); a refused JetStream request is
therefore never answered. Each test checks what the streams hold afterwards, and that the client was told.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.aio.client import Client as NATS
from nats.js.api import StreamConfig
from nats.js.errors import APIError

from inzira.network.nats_cluster import NatsCluster
from inzira.network.nats_server import nats_server_binary
from inzira.network.nats_config import (
    AUTHORIZATION_FILE,
    NatsUser,
    ServerLimits,
    ServerSpec,
    render_authorization,
    render_config,
)
from inzira.network.ports import reserve_ports
from inzira.ordering.jetstream import (
    BlockLog,
    CredentialsError,
    CutterLease,
    NatsCredentials,
    OrderingConfig,
    OrderingUnavailableError,
    RetryPolicy,
    StreamConfigMismatchError,
    TxLog,
    TxQuotaExceededError,
    check_streams,
    connect,
)
from inzira.ordering.jetstream.credentials import new_user_seed
from inzira.ordering.jetstream.lease import LEASE_KEY, LeaseRecord
from inzira.ordering.jetstream.permissions import lease_stream, member_inbox_prefix, member_permissions
from inzira.ordering.jetstream.streams import tx_stream_config
from tests.jetstream.helpers import member_credentials, ordering, run

MEMBERS = ["alice", "bob", "carol"]
CUTTERS = {"carol"}
REFUSED = RetryPolicy(attempt_timeout_ms=300, deadline_ms=600)  # a refused request is never answered
REFUSED_WAIT_S = 0.5
CONNECTION_LOG = "inzira.ordering.jetstream.connection"
TOLD_TIMEOUT_S = 10.0
ROGUE_TIMEOUT_S = 30.0


@dataclass
class Net:
    cfg: OrderingConfig
    admin: NATS  # the cluster admin's connection, which created the streams
    creds: dict[str, NatsCredentials]


@asynccontextmanager
async def network(cluster: NatsCluster, folder: Path, **config: object) -> AsyncIterator[Net]:
    async with ordering(cluster, direct_reads=True, **config) as o:
        creds = await asyncio.to_thread(member_credentials, cluster, folder, o.cfg, MEMBERS, CUTTERS)
        yield Net(o.cfg, o.nc, creds)


@asynccontextmanager
async def member(cluster: NatsCluster, net: Net, name: str) -> AsyncIterator[NATS]:
    nc = await connect(cluster.urls, f"test-{name}", credentials=net.creds[name])
    try:
        yield nc
    finally:
        await nc.close()


async def told(caplog: pytest.LogCaptureFixture, kind: str, subject: str) -> None:
    """Waits until the server's refusal of `kind` ("publish", "subscription") on `subject` reached the client."""
    wanted = f'permissions violation for {kind} to "{subject}"'.lower()
    deadline = time.monotonic() + TOLD_TIMEOUT_S
    while not any(wanted in r.getMessage().lower() for r in caplog.records):
        assert time.monotonic() < deadline, f"the client was never told: {wanted}"
        await asyncio.sleep(0.05)


async def subjects(net: Net, stream: str) -> dict[str, int]:
    info = await net.admin.jetstream(timeout=5).stream_info(stream, subjects_filter=">")
    return dict(info.state.subjects or {})


def test_strangers_are_refused(nats_cluster: NatsCluster, tmp_path: Path) -> None:
    async def body() -> None:
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(nats_cluster.urls[0], allow_reconnect=False, connect_timeout=2)
        stranger = tmp_path / "stranger.nk"
        new_user_seed(stranger)  # a well-formed key the servers do not list
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(nats_cluster.urls[0], allow_reconnect=False, connect_timeout=2,
                               nkeys_seed=str(stranger))
        stranger.chmod(0o644)
        with pytest.raises(CredentialsError, match="readable by others"):
            await connect(nats_cluster.urls, credentials=NatsCredentials(stranger))

    run(body())


def test_a_member_publishes_transactions_on_its_own_subject_only(
        nats_cluster: NatsCluster, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=CONNECTION_LOG)

    async def body() -> None:
        async with network(nats_cluster, tmp_path) as net, member(nats_cluster, net, "alice") as nc:
            assert (await TxLog(nc, net.cfg, member="alice").publish_tx(b"a1", b"from alice")).seq == 1
            with pytest.raises(OrderingUnavailableError):
                await TxLog(nc, net.cfg, REFUSED, member="bob").publish_tx(b"b1", b"alice posing as bob")
            await told(caplog, "publish", net.cfg.member_tx_subject("bob"))
            assert await subjects(net, net.cfg.tx_stream) == {net.cfg.member_tx_subject("alice"): 1}

    run(body())


def test_only_cutter_eligible_members_append_blocks_or_touch_the_lease(
        nats_cluster: NatsCluster, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=CONNECTION_LOG)

    async def body() -> None:
        async with network(nats_cluster, tmp_path) as net:
            cfg = net.cfg
            lease_subject = f"$KV.{cfg.lease_bucket}.{LEASE_KEY}"
            async with member(nats_cluster, net, "alice") as nc:
                with pytest.raises(OrderingUnavailableError):
                    await BlockLog(nc, cfg, REFUSED).append_block(0, b"alice's block")
                await told(caplog, "publish", cfg.blocks_subject)
                lease = await CutterLease.open(nc, cfg, REFUSED)  # the bucket's settings are no secret
                with pytest.raises(OrderingUnavailableError):
                    await lease.try_acquire("orderer-alice", 5_000)
                forged = LeaseRecord("orderer-alice", 2**62, 99).encode()
                with pytest.raises(nats.errors.TimeoutError):
                    await nc.jetstream(timeout=REFUSED_WAIT_S).publish(lease_subject, forged)
                await told(caplog, "publish", lease_subject)
            assert await subjects(net, cfg.blocks_stream) == {}
            assert await subjects(net, lease_stream(cfg)) == {}
            async with member(nats_cluster, net, "carol") as nc:
                assert await BlockLog(nc, cfg).append_block(0, b"carol's block") == 1
                held = await (await CutterLease.open(nc, cfg)).try_acquire("orderer-carol", 5_000)
                assert held is not None and held.term == 1  # nobody wrote the lease before

    run(body())


def test_no_member_purges_deletes_or_reconfigures_a_stream(
        nats_cluster: NatsCluster, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=CONNECTION_LOG)

    async def body() -> None:
        async with network(nats_cluster, tmp_path) as net:
            cfg = net.cfg
            async with member(nats_cluster, net, "carol") as nc:  # even one that may cut blocks
                await TxLog(nc, cfg, member="carol").publish_tx(b"c1", b"tx")
                await BlockLog(nc, cfg).append_block(0, b"block 1")
                js = nc.jetstream(timeout=REFUSED_WAIT_S)
                wider = tx_stream_config(OrderingConfig(cfg.network, tx_msgs_per_member_max=10**9))
                attempts = [js.add_stream(StreamConfig(name="EVIL", subjects=["evil.>"])), js.update_stream(wider)]
                for stream in (cfg.tx_stream, cfg.blocks_stream, cfg.checkpoints_stream, lease_stream(cfg)):
                    attempts += [js.purge_stream(stream), js.delete_msg(stream, 1), js.delete_stream(stream)]
                outcomes = await asyncio.gather(*attempts, return_exceptions=True)
                assert all(isinstance(o, nats.errors.TimeoutError) for o in outcomes), outcomes
                for api in ("STREAM.CREATE.EVIL", f"STREAM.UPDATE.{cfg.tx_stream}", f"STREAM.PURGE.{cfg.tx_stream}",
                            f"STREAM.MSG.DELETE.{cfg.blocks_stream}", f"STREAM.DELETE.{cfg.blocks_stream}"):
                    await told(caplog, "publish", f"$JS.API.{api}")
            admin = net.admin.jetstream(timeout=5)
            for stream in (cfg.tx_stream, cfg.blocks_stream):  # the streams refuse even the admin
                with pytest.raises(APIError):
                    await admin.purge_stream(stream)
                with pytest.raises(APIError):
                    await admin.delete_msg(stream, 1)
            checkpoints = (await admin.stream_info(cfg.checkpoints_stream)).config
            assert checkpoints.deny_purge and checkpoints.deny_delete
            assert (await admin.stream_info(cfg.tx_stream)).config.max_msgs_per_subject == cfg.tx_msgs_per_member_max
            assert await subjects(net, cfg.tx_stream) == {cfg.member_tx_subject("carol"): 1}
            assert await subjects(net, cfg.blocks_stream) == {cfg.blocks_subject: 1}

    run(body())


def test_replies_go_to_each_members_own_inbox_and_only_cutters_read_transactions(
        nats_cluster: NatsCluster, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=CONNECTION_LOG)

    async def body() -> None:
        async with (network(nats_cluster, tmp_path) as net, member(nats_cluster, net, "alice") as alice,
                    member(nats_cluster, net, "bob") as bob, member(nats_cluster, net, "carol") as carol):
            cfg = net.cfg
            bobs_inbox = f"{member_inbox_prefix(cfg, 'bob')}.>"
            spies = [await alice.subscribe(bobs_inbox), await alice.subscribe("_INBOX.>")]
            await alice.flush()
            await told(caplog, "subscription", bobs_inbox)
            await told(caplog, "subscription", "_INBOX.>")
            await TxLog(bob, cfg, member="bob").publish_tx(b"b1", b"bob's tx")  # its ack goes to bob's inbox
            await BlockLog(carol, cfg).append_block(0, b"block 1")
            await alice.flush()
            assert [s.pending_msgs for s in spies] == [0, 0]
            # Every member reads the chain; the pending transactions are for those that cut blocks.
            assert [e.payload for e in await BlockLog(alice, cfg).read_blocks(1, 10, 2_000)] == [b"block 1"]
            with pytest.raises(OrderingUnavailableError):
                await TxLog(alice, cfg, REFUSED, member="alice").read_txs(1, 10, 100)
            await told(caplog, "publish", f"$JS.API.DIRECT.GET.{cfg.tx_stream}")
            assert [e.payload for e in await TxLog(carol, cfg, member="carol").read_txs(1, 10, 2_000)] == [b"bob's tx"]

    run(body())


def test_members_check_the_streams_the_admin_made(nats_cluster: NatsCluster, tmp_path: Path) -> None:
    async def body() -> None:
        async with network(nats_cluster, tmp_path) as net, member(nats_cluster, net, "alice") as alice:
            await check_streams(alice, net.cfg)
            other = OrderingConfig(net.cfg.network, direct_reads=True, tx_msgs_per_member_max=10)
            with pytest.raises(StreamConfigMismatchError, match="max_msgs_per_subject"):
                await check_streams(alice, other)

    run(body())


def test_no_role_is_granted_stream_administration_or_a_wildcard_over_the_api() -> None:
    for direct_reads in (True, False):
        cfg = OrderingConfig("n0123456789abcdef", direct_reads=direct_reads)
        for may_cut in (False, True):
            granted = member_permissions(cfg, "alice", may_cut)
            for subject in granted.publish:
                api = subject.removeprefix("$JS.API.")
                assert not api.startswith(("STREAM.CREATE", "STREAM.UPDATE", "STREAM.PURGE", "STREAM.DELETE",
                                           "STREAM.MSG.DELETE", "ACCOUNT", "META", "SERVER")), subject
                assert subject not in (">", "$JS.>", "$JS.API.>", "$KV.>", "inzira.>") and "*.>" not in subject
            assert granted.subscribe[0] == "_INBOX_n0123456789abcdef_alice.>"
            assert not any(s.startswith("_INBOX.") for s in granted.subscribe)
            assert ("inzira.n0123456789abcdef.blocks" in granted.publish) is may_cut
            assert (f"$KV.{cfg.lease_bucket}.cutter" in granted.publish) is may_cut


def test_a_member_over_its_quota_is_refused_while_the_others_publish(nats_cluster: NatsCluster,
                                                                     tmp_path: Path) -> None:
    async def body() -> None:
        async with (network(nats_cluster, tmp_path, tx_msgs_per_member_max=3) as net,
                    member(nats_cluster, net, "alice") as alice, member(nats_cluster, net, "bob") as bob):
            cfg = net.cfg
            alice_log = TxLog(alice, cfg, member="alice")
            for n in range(1, 4):
                await alice_log.publish_tx(bytes([n]), b"tx")
            with pytest.raises(TxQuotaExceededError):
                await alice_log.publish_tx(b"\x09", b"one too many")
            with pytest.raises(TxQuotaExceededError):
                await alice_log.publish_txs_many([(b"\x0a", b"more"), (b"\x0b", b"and more")])
            assert (await TxLog(bob, cfg, member="bob").publish_tx(b"\x0c", b"bob's")).seq == 4
            assert await subjects(net, cfg.tx_stream) == {cfg.member_tx_subject("alice"): 3,
                                                          cfg.member_tx_subject("bob"): 1}

    run(body())


def _routes(monitor_url: str) -> list[str]:
    with urllib.request.urlopen(f"{monitor_url}/routez", timeout=5) as resp:  # noqa: S310 (loopback http)
        return [str(r.get("remote_name")) for r in json.loads(resp.read())["routes"]]


@pytest.mark.timeout(120)
def test_a_server_without_the_route_password_cannot_join(nats_cluster: NatsCluster, tmp_path: Path) -> None:
    client_port, cluster_port, http_port = reserve_ports(3)
    rogue = ServerSpec("rogue", "127.0.0.1", client_port, cluster_port, http_port, str(tmp_path / "rogue"))
    Path(rogue.directory).mkdir()
    (tmp_path / AUTHORIZATION_FILE).write_text(render_authorization([NatsUser(new_user_seed(tmp_path / "r.nk"), None)]))
    rogue.config_path.write_text(render_config(rogue, nats_cluster.cluster_name, nats_cluster.servers, ServerLimits(),
                                               "guessed"))
    proc = subprocess.Popen([str(nats_server_binary()), "-c", str(rogue.config_path)],  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + ROGUE_TIMEOUT_S
        while not (rogue.log_path.exists() and "Authorization Violation" in rogue.log_path.read_text()):
            assert proc.poll() is None, "the rogue server exited"
            assert time.monotonic() < deadline, "the cluster never answered the rogue server's routes"
            time.sleep(0.1)
        assert _routes(rogue.monitor_url) == []
        for spec in nats_cluster.servers:
            names = set(_routes(spec.monitor_url))
            assert "rogue" not in names
            assert names == {s.name for s in nats_cluster.servers} - {spec.name}  # the password works for them
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_monitoring_listens_on_loopback_only(nats_cluster: NatsCluster) -> None:
    for spec in nats_cluster.servers:
        with urllib.request.urlopen(f"{spec.monitor_url}/varz", timeout=5) as resp:  # noqa: S310 (loopback http)
            assert json.loads(resp.read())["http_host"] == "127.0.0.1"
    exposed = ServerSpec("n1", "0.0.0.0", 4222, 6222, 8222, "/srv/n1")  # noqa: S104 (a client port for a LAN)
    config = render_config(exposed, "inzira", [], ServerLimits(), "pw")
    assert 'listen: "0.0.0.0:4222"' in config and 'http: "127.0.0.1:8222"' in config
    assert exposed.monitor_url == "http://127.0.0.1:8222"
