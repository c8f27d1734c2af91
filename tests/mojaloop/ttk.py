"""Mojaloop's Testing Toolkit (npm ``ml-testing-toolkit``, installed by ``make`` in tools/mojaloop) as a
process the tests start, configure, drive and stop.

Each toolkit runs from its own copy of the package's ``spec_files`` (its configuration, rules and reports are
written there), on loopback only, on free ports: ``tests/mojaloop/ttk_loopback.cjs`` moves its hard-coded
control port (5050) and binds every server to 127.0.0.1, and ``API_PORT`` in its system config moves the
FSPIOP port (4040). Stopped by its own process id.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tools" / "mojaloop" / "node_modules" / "ml-testing-toolkit"
PRELOAD = Path(__file__).resolve().parent / "ttk_loopback.cjs"
COLLECTIONS = Path(__file__).resolve().parent / "collections"
START_TIMEOUT_S = 90.0  # ~10 s on an idle 2-core machine; leave room for a loaded one
STOP_TIMEOUT_S = 10.0
RUN_TIMEOUT_S = 240.0
POLL_S = 0.25


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class CollectionResult:
    """A collection's run: every assertion of every request, and the ones that did not pass."""

    raw: dict[str, Any]
    total: int = 0
    passed: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.passed == self.total and not self.failures

    def request(self, request_id: str) -> dict[str, Any]:
        """One request's full record (request, response, callback) by its id in the collection."""
        for case in self.raw.get("test_cases", []):
            for entry in case.get("requests", []):
                if entry.get("request", {}).get("id") == request_id:
                    return dict(entry)
        raise KeyError(request_id)


def summarize(raw: dict[str, Any]) -> CollectionResult:
    result = CollectionResult(raw)
    for case in raw.get("test_cases", []):
        for entry in case.get("requests", []):
            request = entry.get("request", {})
            assertions = request.get("tests", {}).get("assertions", [])
            for assertion in assertions:
                result.total += 1
                status = assertion.get("resultStatus", {})
                if status.get("status") == "SUCCESS":
                    result.passed += 1
                else:
                    result.failures.append(
                        f"{case.get('name')} / {request.get('id')} / {assertion.get('description')}: "
                        f"{status.get('status', 'NOT RUN')} {status.get('message', '')}".strip())
            if entry.get("status") not in (None, "SUCCESS") and not assertions:
                result.failures.append(f"{case.get('name')} / {request.get('id')}: {entry.get('status')}")
    return result


def unjudgeable(collection: dict[str, Any]) -> set[str]:
    """Assertions (``case / request id / description``) with nothing to run (commented out) or that read what
    only a hub has (``environment``: its payee simulator, its JWS switch): the toolkit marks them SKIPPED when
    run against a DFSP."""
    found = set()
    for case in collection["test_cases"]:
        for request in case["requests"]:
            for assertion in request.get("tests", {}).get("assertions", []):
                code = [line for line in assertion["exec"] if line.strip() and not line.strip().startswith("//")]
                if not code or any("environment." in line for line in code):
                    found.add(f"{case['name']} / {request['id']} / {assertion['description']}")
    return found


class TestingToolkit:
    """One running toolkit: ``fspiop_url`` is where the system under test sends requests and callbacks."""

    __test__ = False  # not a pytest test class

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.fspiop_port = free_port()
        self.control_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "toolkit.log"

    @property
    def fspiop_url(self) -> str:
        return f"http://127.0.0.1:{self.fspiop_port}"

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.control_port}"

    def start(self, rules: dict[str, list[dict[str, Any]]] | None = None) -> None:
        """``rules``: extra callback/validation rules, by type, tried before the toolkit's default ones."""
        if not (PACKAGE / "src" / "index.js").is_file():
            raise RuntimeError(f"the Testing Toolkit is not installed in {PACKAGE} (run `make install`)")
        specs = self.workdir / "spec_files"
        shutil.copytree(PACKAGE / "spec_files", specs)
        system_file = specs / "system_config.json"
        system = json.loads(system_file.read_text())
        system["API_PORT"] = self.fspiop_port
        system_file.write_text(json.dumps(system, indent=2))
        for rule_type, extra in (rules or {}).items():
            self._add_rules(specs / f"rules_{rule_type}", extra)
        env = {**os.environ, "INZIRA_TTK_CONTROL_PORT": str(self.control_port)}
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                ["node", "--require", str(PRELOAD), str(PACKAGE / "src" / "index.js")],
                cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        self._wait_ready()

    @staticmethod
    def _add_rules(folder: Path, extra: list[dict[str, Any]]) -> None:
        config_file = folder / "config.json"
        active = json.loads(config_file.read_text())["activeRulesFile"]
        rules = extra + json.loads((folder / active).read_text())
        (folder / "inzira.json").write_text(json.dumps(rules, indent=2))
        config_file.write_text(json.dumps({"activeRulesFile": "inzira.json"}))

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the Testing Toolkit exited at start: {self.log_tail()}")
            if self._listening(self.fspiop_port) and self._control_answers():
                return
            time.sleep(POLL_S)
        self.stop()
        raise RuntimeError(f"the Testing Toolkit was not ready in {START_TIMEOUT_S} s: {self.log_tail()}")

    @staticmethod
    def _listening(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return True
        except OSError:
            return False

    def _control_answers(self) -> bool:
        try:
            return httpx.get(f"{self.control_url}/api/config/user", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_S)

    # --- control API ---------------------------------------------------------------------------------

    def user_config(self) -> dict[str, Any]:
        answer = httpx.get(f"{self.control_url}/api/config/user", timeout=10.0)
        answer.raise_for_status()
        return dict(answer.json()["stored"])

    def configure(self, **changes: Any) -> None:
        """Change fields of the user config (e.g. CALLBACK_ENDPOINT, FSPID, JWS_SIGN); the rest stays."""
        config = self.user_config()
        config.update(changes)
        answer = httpx.put(f"{self.control_url}/api/config/user", json=config, timeout=10.0)
        answer.raise_for_status()

    def run(self, collection: dict[str, Any], input_values: dict[str, Any], timeout_s: float = RUN_TIMEOUT_S,
            options: dict[str, Any] | None = None) -> CollectionResult:
        """Run a collection synchronously (the toolkit sends its requests and waits for the callbacks).

        ``options``: the run's template options, e.g. ``{"generateIDType": "uuid"}`` for collections whose ids
        come from ``generateID`` (a ULID by default, which FSPIOP 1.x ids, UUIDs, are not).
        """
        body = {**collection, "inputValues": input_values, **({"options": options} if options else {})}
        trace_id = uuid.uuid4().hex
        answer = httpx.post(f"{self.control_url}/api/outbound/template/{trace_id}", params={"sync": "true"},
                            json=body, timeout=timeout_s)
        answer.raise_for_status()
        return summarize(answer.json())

    def run_file(self, name: str, input_values: dict[str, Any]) -> CollectionResult:
        return self.run(json.loads((COLLECTIONS / name).read_text()), input_values)
