"""What each NATS user of one network may publish and subscribe to: only what its role needs.

Every member's user (`member_permissions`):
- publishes its own transactions (`<tx prefix>.<member>`) and its own checkpoints and snapshot checkpoints;
- reads the blocks and checkpoints streams (direct gets, or pull consumers when the network reads with
  consumers), the newest block and any block by sequence, and the settings/state of the network's streams;
- hears every peer's checkpoints, and receives replies on its own inbox prefix only.
A cutter-eligible member (one whose orderer key is in the genesis) may also read the transactions stream,
append blocks and read and write the cutter lease. Nobody but the operator's admin user (which the server
configuration lets do anything) creates, changes, purges or deletes a stream, and the streams themselves
refuse purges and message deletions whoever asks (streams.py).
A subject outside its list is refused by the server: a publish is dropped (and the client told), a
subscription refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from inzira.ordering.jetstream.config import OrderingConfig, member_token
from inzira.ordering.jetstream.lease import LEASE_KEY

JS_API = "$JS.API"


@dataclass(frozen=True, slots=True)
class Permissions:
    publish: tuple[str, ...]  # subjects (NATS wildcards allowed) this user may publish on
    subscribe: tuple[str, ...]  # and subscribe to


def member_inbox_prefix(cfg: OrderingConfig, member: str) -> str:
    """Where replies to this member's requests go; its user may subscribe under this prefix alone."""
    return f"_INBOX_{cfg.network}_{member_token(member)}"


def lease_stream(cfg: OrderingConfig) -> str:
    return f"KV_{cfg.lease_bucket}"


def _reads(cfg: OrderingConfig, stream: str) -> list[str]:
    """Reading `stream` the way this network's readers do (direct_reader.py or reader.py)."""
    if cfg.direct_reads:
        return [f"{JS_API}.DIRECT.GET.{stream}", f"{JS_API}.DIRECT.GET.{stream}.>"]
    return [f"{JS_API}.CONSUMER.CREATE.{stream}.>", f"{JS_API}.CONSUMER.MSG.NEXT.{stream}.*",
            f"{JS_API}.CONSUMER.DELETE.{stream}.*"]


def member_permissions(cfg: OrderingConfig, member: str, may_cut: bool) -> Permissions:
    member_token(member)
    publish = [
        cfg.member_tx_subject(member),
        f"{cfg.checkpoints_prefix}.{member}",
        f"{cfg.snapshots_prefix}.{member}",
        *(f"{JS_API}.STREAM.INFO.{s}" for s in (cfg.tx_stream, cfg.blocks_stream, cfg.checkpoints_stream,
                                                 lease_stream(cfg))),
        *_reads(cfg, cfg.blocks_stream),
        f"{JS_API}.STREAM.MSG.GET.{cfg.blocks_stream}",  # the last block, a block by sequence
        *_reads(cfg, cfg.checkpoints_stream),
    ]
    if may_cut:
        publish += [
            cfg.blocks_subject,
            *_reads(cfg, cfg.tx_stream),
            f"$KV.{cfg.lease_bucket}.{LEASE_KEY}",  # compare-and-set writes of the lease
            f"{JS_API}.STREAM.MSG.GET.{lease_stream(cfg)}",  # lease reads, answered by the bucket's leader
        ]
    subscribe = [f"{member_inbox_prefix(cfg, member)}.>", f"{cfg.checkpoints_prefix}.*", f"{cfg.snapshots_prefix}.*"]
    return Permissions(tuple(publish), tuple(subscribe))
