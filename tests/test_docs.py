"""The shipped docs against the code they describe: command lines, error codes, the layout, the links file.

Each doc edit so far came with the change it described, by different hands; what drifted were the statements
nobody re-read: an option renamed, a field added, a package added. These checks read the docs as text and
the code as the running program sees it (Typer's commands, the code enums, the package folders)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import typer

from inzira.api.codes import ApiCode
from inzira.cli.main import app
from inzira.cli.remit import SEND_EXIT_STATUSES
from inzira.deploy.links import Links
from inzira.directory.codes import DirectoryCode
from inzira.interop.mojaloop.errors import ErrorCode
from inzira.ledger.codes import Code
from inzira.qr.codes import QrCode
from inzira.remit.codes import RemitCode

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = [README, ROOT / "inzira" / "remit" / "API.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND_WORDS_MAX = 4  # `inzira remit verify-receipt FILE`: a group, a command, then arguments


def _section(text: str, title: str) -> str:
    """The first fenced block under the README heading ``title``."""
    after = text.split(f"\n## {title}\n", 1)[1]
    return after.split("```\n", 2)[1]


def _command_lines() -> list[tuple[str, str]]:
    """(where, text) of every `inzira ...` command line the docs show: README's command block (with its
    continuation lines) and every inline `inzira ...` span or fenced line in any shipped doc."""
    found: list[tuple[str, str]] = []
    block = _section(README.read_text(encoding="utf-8"), "Command line")
    for line in block.splitlines():
        if line.startswith("inzira "):
            found.append(("README.md, Command line", line))
        elif found and line.startswith(" "):
            where, previous = found[-1]
            found[-1] = (where, previous + " " + line.strip())
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        found += [(name, span) for span in re.findall(r"`(inzira [^`\n]+)`", text)]
        found += [(name, line.strip().removeprefix("$ ")) for line in text.splitlines()
                  if re.match(r"\s*(\$ )?inzira [a-z]", line) and "`" not in line]
    return found


def _resolve(words: list[str]) -> Any:
    """The command or group these words name (``up|status|down``: each of them), or None if they name none.
    (Typer carries its own copy of click: a group is what has ``commands``.)"""
    command: Any = typer.main.get_command(app)
    for word in words[:COMMAND_WORDS_MAX]:
        if not hasattr(command, "commands"):
            return command
        found = [command.commands.get(name) for name in word.split("|")]
        if None in found:
            return None
        command = found[0]
    return command


def _options(command: Any) -> set[str]:
    return {name for param in command.params for name in (*param.opts, *param.secondary_opts)}


_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def test_every_command_line_in_the_docs_names_a_real_command_and_real_options() -> None:
    lines = _command_lines()
    assert len(lines) > 25, f"only {len(lines)} command lines found: the parsing lost its way"
    wrong = []
    for where, line in lines:
        words = line.split()[1:]
        command = _resolve(words)
        if command is None:
            wrong.append(f"{where}: {line!r} names no command")
            continue
        options = _options(command)
        unknown = sorted(set(_OPTION.findall(line)) - options)
        if unknown:
            wrong.append(f"{where}: {line!r}: {', '.join(unknown)} not options of "
                         f"`inzira {command.name}` ({', '.join(sorted(options))})")
    assert not wrong, "\n".join(wrong)


def _codes() -> set[int]:
    return {int(member) for enum in (Code, ApiCode, RemitCode, QrCode, DirectoryCode, ErrorCode) for member in enum}


# A code the docs name: in bold, after "code" or "codes", or after an HTTP status ("409 3106", "400, 3100").
_NAMED_CODE = re.compile(r"\*\*([1-5]\d{3})\*\*|\bcodes? \**([1-5]\d{3})\b|\b[1-5]\d\d,? \**([1-5]\d{3})\**\b(?![\w%-]| ?(?:ms|s|µs|x|bp|KB|MB)\b)")
# A table of codes: "| 4240, 4242 | 422 | ..." (code, then HTTP status).
_CODE_ROW = re.compile(r"^\| ([1-5]\d{3}(?:, [1-5]\d{3})*) \| [1-5]\d\d \|", re.M)


def _named_codes(text: str) -> list[tuple[int, int]]:
    """(code, offset) of every error code ``text`` names."""
    found = [(int(next(group for group in match.groups() if group)), match.start())
             for match in _NAMED_CODE.finditer(text)]
    return found + [(int(code), match.start()) for match in _CODE_ROW.finditer(text)
                    for code in match.group(1).split(", ")]


@pytest.mark.parametrize(("text", "codes"), [
    ("409 3106 when", [3106]), ("a 429 problem, code **3041**, with", [3041]), ("(400, 3100)", [3100]),
    ("503 **2040** while", [2040]), ("| 4240, 4242 | 422 | a top-up", [4240, 4242]),
    ("RFC 9457 problem+json, 200 2026-12-05, 500 quotes, 2 cores", [])])
def test_the_code_pattern_finds_codes_and_nothing_else(text: str, codes: list[int]) -> None:
    assert sorted(code for code, _ in _named_codes(text)) == codes


def test_every_error_code_the_docs_name_exists() -> None:
    codes = _codes()
    named, unknown = 0, []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for code, offset in _named_codes(text):
            named += 1
            if code not in codes:
                unknown.append(f"{path.relative_to(ROOT)}:{text[:offset].count(chr(10)) + 1}: {code}")
    assert named > 80, f"only {named} codes found: the patterns lost their way"
    assert not unknown, "codes no enum defines: " + "; ".join(unknown)


def test_the_readme_layout_names_every_package() -> None:
    layout = _section(README.read_text(encoding="utf-8"), "Layout")
    named = set(re.findall(r"(?<![\w/])([a-z_]+)/", layout))
    packages = {path.parent.name for path in (ROOT / "inzira").glob("*/__init__.py")}
    assert len(packages) > 15
    assert not packages - named, f"README's Layout leaves out inzira/{', inzira/'.join(sorted(packages - named))}"


def test_the_links_file_fields_are_the_ones_the_readme_and_help_name() -> None:
    fields = {field.name for field in dataclasses.fields(Links)}
    readme = README.read_text(encoding="utf-8")
    shown = readme.split("`links.json` says where", 1)[1].split("}`", 1)[0]
    assert set(re.findall(r'"([a-z_]+)"', shown)) - {"sbk", "CNY"} == fields
    serve = typer.main.get_command(app).commands["remit"].commands["serve"]  # type: ignore[attr-defined]
    help_text = next(param.help for param in serve.params if param.name == "links")
    assert {name for name in fields if name not in help_text} == set()


def test_the_readme_lists_every_exit_status_of_remit_send() -> None:
    statuses = set(re.findall(r"\b([0-9]) (?:paid|nothing|usage|HELD|ended|sent)\b", SEND_EXIT_STATUSES))
    block = _section(README.read_text(encoding="utf-8"), "Command line")
    after = block.split("inzira remit send ", 1)[1].split("\ninzira ", 1)[0]
    listed = set(re.findall(r"\b(?:exit )?([0-9]) (?:only when paid|nothing|usage|HELD|ended|sent)\b", after))
    assert len(statuses) == 6
    assert listed == statuses


@pytest.mark.parametrize("line", ["inzira demo --port 0 --no-such-option", "inzira chain show 2 --genesis g.json"])
def test_the_command_check_refuses_an_unknown_option(line: str) -> None:
    command = _resolve(line.split()[1:])
    assert command is not None
    assert set(_OPTION.findall(line)) - _options(command)


def test_the_qr_code_table_gives_each_code_the_status_the_service_answers() -> None:
    from inzira.qr.codes import status_of

    text = (ROOT / "docs" / "qr-payments.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([1-5]\d{3}(?:, [1-5]\d{3})*) \| ([1-5]\d\d) \|", text, re.M)
    assert len(rows) > 20
    wrong = [f"{code}: {status} in the docs, {status_of(int(code))} from the service"
             for codes, status in rows for code in codes.split(", ") if status_of(int(code)) != int(status)]
    assert not wrong, "; ".join(wrong)
