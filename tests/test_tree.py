"""The tree itself: no merge left half done (a conflict block in a doc or a module reads as text and can
land unnoticed: three did, in docs/interop-mojaloop.md), and the product's lines within the style's width."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("README.md", "Makefile", "pyproject.toml", "constraints.txt", "docs", "inzira", "tests", "tools/mojaloop")
SUFFIXES = {".md", ".py", ".toml", ".txt", ".html", ".js", ".cjs", ".css", ".json", ".yaml", ".yml", ""}
SKIPPED_PARTS = {"node_modules", "__pycache__"}
MARKER = re.compile(r"^(<{7}|>{7}|={7})( |$)", re.M)
FILES_MAX = 5_000


def _files() -> list[Path]:
    found = []
    for name in CHECKED:
        top = ROOT / name
        candidates = [top] if top.is_file() else sorted(top.rglob("*"))
        found += [path for path in candidates if path.is_file() and path.suffix in SUFFIXES
                  and not SKIPPED_PARTS & set(path.relative_to(ROOT).parts)]
    return found


def test_no_file_holds_a_merge_conflict_block() -> None:
    files = _files()
    assert 100 < len(files) <= FILES_MAX, f"{len(files)} files: the walk lost its way"
    blocked = [f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}"
               for path in files
               for text in [path.read_text(encoding="utf-8", errors="replace")]
               for match in [MARKER.search(text)] if match]
    assert not blocked, "merge-conflict markers in: " + ", ".join(blocked)


LINE_CHARS_MAX = 120


def test_product_code_lines_fit_the_style_width() -> None:
    """Lines of the product's Python stay within the style's width, so a diff reads side by side."""
    long = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "inzira").rglob("*.py"))
            if not SKIPPED_PARTS & set(path.relative_to(ROOT).parts)
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if len(line) > LINE_CHARS_MAX]
    assert not long, f"lines over {LINE_CHARS_MAX} characters: " + ", ".join(long)
