"""The directory operator's own deployment: its service beside its own peer, holding only its own key.

``python -m inzira.peer FOLDER`` (how ``inzira network up`` runs each member's peer) serves the operator's API
under /v1/directory when the peer's member holds the directory_operator role. Its files, in the peer's folder:

- ``directory-operator/``: the hash key (``directory.key``, 0600) and the operator's records (``directory.db``),
  created on first start;
- ``directory.json`` (optional): ``{"account_holder_apis": {fsp: {"kind": "momo-http", ...}},
  "declared_daily_transfers": {member: transfers}, "registration_allowances": {fsp: {"per_day": n, "burst": n}}}``,
  the FSPs' account-holder APIs, members' volumes, and the registration allowances granted for a bulk onboarding;
- ``directory-tokens.json`` (0600): member -> the token the operator issued it, created for every member on
  first start. The operator hands each member its own; a member's services then call
  ``DirectoryClient.connect(operator_url, {member: token})``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inzira.api.token_files import ensure_tokens
from inzira.directory.operator import DirectoryOperator
from inzira.directory.settings import Allowance, DirectorySettings
from inzira.json_files import read_json
from inzira.ledger.admin import DIRECTORY_OPERATOR_ROLE
from inzira.node.custody import MemberPort
from inzira.token_urls import clear_text_refusal

OPERATOR_DIR = "directory-operator"
SETTINGS_FILE = "directory.json"
TOKENS_FILE = "directory-tokens.json"
SETTINGS_FILE_BYTES_MAX = 256 * 1024


class DirectoryConfigError(ValueError):
    """A directory.json the operator cannot use."""


def load_settings(path: Path) -> DirectorySettings:
    if not path.exists():
        return DirectorySettings(declared_daily_transfers={})
    try:
        loaded: Any = read_json(path, SETTINGS_FILE_BYTES_MAX)
    except ValueError as exc:  # the peer refuses to start with the file's name, not a traceback
        raise DirectoryConfigError(str(exc)) from None
    if not isinstance(loaded, dict):
        raise DirectoryConfigError(f"{path} must hold a JSON object")
    apis = loaded.get("account_holder_apis", {})
    declared = loaded.get("declared_daily_transfers", {})
    if not (isinstance(apis, dict) and all(isinstance(v, dict) for v in apis.values())):
        raise DirectoryConfigError(f"{path}: account_holder_apis must map FSP ids to adapter configurations")
    for fsp, config in apis.items():
        _check_token_url(path, fsp, config.get("base_url"))
    if not (isinstance(declared, dict) and all(type(v) is int and v > 0 for v in declared.values())):
        raise DirectoryConfigError(f"{path}: declared_daily_transfers must map member ids to positive integers")
    return DirectorySettings(account_holder_apis=apis, declared_daily_transfers=declared,
                             registration_allowances=_allowances(path, loaded.get("registration_allowances", {})))


def _check_token_url(path: Path, fsp: str, url: Any) -> None:
    """An account-holder API's ``base_url`` gets the operator's API key and access token: https://, or http:// to
    this host only, as a links file's payout.base_url (``token_urls``)."""
    if url is None:
        return
    name = f"account_holder_apis[{fsp!r}].base_url"
    refusal = clear_text_refusal(url) if isinstance(url, str) else "must be a string"
    if refusal is not None:
        raise DirectoryConfigError(f"{path}: {name}: {refusal}"[:500])


def _allowances(path: Path, value: Any) -> dict[str, Allowance]:
    if isinstance(value, dict) and all(isinstance(v, dict) and set(v) == {"per_day", "burst"} and
                                       all(type(n) is int and n > 0 for n in v.values()) for v in value.values()):
        return {fsp: Allowance(v["per_day"], v["burst"]) for fsp, v in value.items()}
    raise DirectoryConfigError(f'{path}: registration_allowances must map FSP ids to {{"per_day": n, "burst": n}}, '
                               "positive integers")


def operator_for_peer(folder: Path, port: MemberPort) -> DirectoryOperator | None:
    """The operator's service for the peer in ``folder`` (its own port), or None when its member does not run
    the directory."""
    if not port.node.state.holds_role(port.member, DIRECTORY_OPERATOR_ROLE):
        return None
    members = sorted(port.node.state.members)
    tokens = ensure_tokens(folder / TOKENS_FILE, members, "directory-")
    return DirectoryOperator(port, folder / OPERATOR_DIR, load_settings(folder / SETTINGS_FILE),
                             {token: m for m, token in tokens.items()})
