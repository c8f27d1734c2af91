"""A NATS user's credentials: an nkey seed in a file only its owner can read, and the user's inbox prefix.

The server knows the user by the public half of the key (a `U...` nkey in its authorization list) and
proves the client holds the seed by having it sign a nonce, so the seed never crosses the wire. The inbox
prefix is where the server sends this user's replies (request/reply, JetStream API answers and acks); each
member's user may subscribe to its own prefix only, so no member reads another's replies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import nkeys

from inzira.private_files import read_private, write_private

DEFAULT_INBOX_PREFIX = "_INBOX"
SEED_FILE_BYTES_MAX = 1024


class CredentialsError(ValueError):
    """A seed file that is missing, unreadable, readable by others or not a NATS user seed."""


@dataclass(frozen=True, slots=True)
class NatsCredentials:
    seed_file: Path  # the user's nkey seed ("SU..."), mode 0600
    inbox_prefix: str = DEFAULT_INBOX_PREFIX

    def check(self) -> str:
        """The user's public key; raises CredentialsError when the seed file is unusable."""
        return public_key_of(self.seed_file)


def new_user_seed(path: Path) -> str:
    """Creates a fresh user nkey, writes its seed to `path` (mode 0600 from the start), returns its public key."""
    seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
    write_private(path, seed + b"\n")
    return public_key_of(path)


def public_key_of(path: Path) -> str:
    """The public key of the user seed in `path`, after checking that only its owner can read the file."""
    raw = read_private(path, SEED_FILE_BYTES_MAX, CredentialsError).strip()
    try:
        if not raw.startswith(b"SU"):
            raise nkeys.ErrInvalidSeed()
        return str(nkeys.from_seed(bytearray(raw)).public_key.decode())
    except (nkeys.NkeysError, ValueError) as exc:
        raise CredentialsError(f"{path} does not hold a NATS user seed") from exc
