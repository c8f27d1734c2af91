"""Reading the directory operator's two logs on the regulator's pages (look-ups and registrations): their rows, their
pager, and paging back through one member's rows."""

from __future__ import annotations

import html
import re

import httpx

ROWS_MAX = 50  # the most rows a page shows, whatever size is asked


def log_table(page: str, table_class: str) -> str:
    return page.split(f'<table class="{table_class}">', 1)[1].split("</table>", 1)[0]


def log_rows(page: str, table_class: str, row_attribute: str) -> dict[int, str]:
    """Each row of the log by its id (``<tr data-{row_attribute}="id">``), its cells' text."""
    found = re.findall(rf'<tr data-{row_attribute}="(\d+)">(.*?)</tr>', log_table(page, table_class), re.S)
    return {int(row_id): " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cells)).split()) for row_id, cells in found}


def older_href(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    return None if found is None else html.unescape(found.group(1))


def assert_pages_back_by_member(regulator: httpx.Client, path: str, member: str, table_class: str,
                                row_attribute: str) -> None:
    """Paging back through ``member``'s rows two at a time: the older page keeps the filter and the size, holds only
    older rows of ``member``'s, and links back to the newest; a hand-edited size is bounded."""
    first = regulator.get(path, params={"member": member, "limit": "2"}).text
    older = older_href(first)
    assert older is not None and f"member={member}" in older and "limit=2" in older
    second = regulator.get(older).text
    first_ids, second_ids = (log_rows(page, table_class, row_attribute) for page in (first, second))
    assert len(first_ids) == len(second_ids) == 2 and max(second_ids) < min(first_ids)
    assert all(f" {member} " in row for row in second_ids.values())
    assert f'href="{path}?member={member}&amp;limit=2">Newest' in second
    hand_edited = regulator.get(path, params={"limit": "9999"}).text
    assert len(log_rows(hand_edited, table_class, row_attribute)) <= ROWS_MAX
