"""What a test needs to see key custody: every key pair reachable from an object (a service, a desk)."""

from __future__ import annotations

from inzira.crypto import KeyPair
from inzira.node.node import Node
from tests.reachable import reachable


def signing_keys(root: object) -> set[bytes]:
    """The public keys of every key pair reachable from ``root`` (as ``tests.reachable`` walks)."""
    return {pair.public_key for pair in reachable(root, KeyPair)}


def members_signing(root: object, node: Node) -> set[str]:
    """The members whose keys are reachable from ``root``."""
    owner = {key: m.id for m in node.state.members.values() for key in m.keys}
    return {owner[k] for k in signing_keys(root) if k in owner}
