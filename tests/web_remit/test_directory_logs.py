"""What both directory logs on the regulator's pages (look-ups, registrations) share: only a regulator reads them, and
a bad filter is said on the page, with the form to correct it, never a 5xx; junk paging values are brought into
range."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest


@pytest.mark.parametrize("path, table_class", [("/remit/regulator/lookups", "lookups"),
                                               ("/remit/regulator/registrations", "registrations")])
def test_only_a_regulator_reads_it_and_a_bad_filter_is_said_on_the_page(
        signed_in: Callable[[str, str], httpx.Client], anonymous: httpx.Client, path: str, table_class: str) -> None:
    assert anonymous.get(path).status_code == 303
    assert signed_in("eurosend", "agent").get(path).status_code == 403
    assert signed_in("mobimo", "receiving").get(path, params={"member": "mobimo"}).status_code == 403
    regulator = signed_in("cbr", "regulator")
    for params, said in (({"msisdn": "12345"}, "Not a number the directory lists"),
                         ({"msisdn": "+33612345678"}, "not a Rwandan number"),
                         ({"msisdn": "7" * 200}, "at most 64 characters"),
                         ({"member": "nobody"}, "nobody is not a member of this network"),
                         ({"member": "<b>x</b>"}, "&lt;b&gt;x&lt;/b&gt; is not a member of this network"),
                         ({"member": "x" * 500}, "is not a member of this network")):
        answer = regulator.get(path, params=params)
        assert answer.status_code == 400 and 'data-problem="filter"' in answer.text and said in answer.text
        assert f'<table class="{table_class}">' not in answer.text
    for junk in ({"before": "not-a-number", "limit": "-3"}, {"before": "9" * 40, "limit": "0"}):
        answer = regulator.get(path, params=junk)
        assert answer.status_code == 200 and f'<table class="{table_class}">' in answer.text
