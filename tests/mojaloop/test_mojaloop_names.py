"""Names sent in a party stay within the FSPIOP Name type, whatever Inzira's books hold."""

from __future__ import annotations

import pytest

from inzira.interop.mojaloop.names import NAME_CHARS_MAX, fspiop_name
from tests.mojaloop.test_mojaloop_payee import NAME_1_1


@pytest.mark.parametrize(("text", "sent"), [
    ("J***** U****", "J..... U...."),
    ("Jeanne Uwase", "Jeanne Uwase"),
    ("Café & Co", "Café . Co"),
    ("O'Neil-Mugisha Ltd.", "O'Neil-Mugisha Ltd."),
    ("<script>alert(1)</script>", ".script.alert.1...script."),
    ("  padded  ", "padded"),
])
def test_a_name_is_sent_in_the_name_character_set(text, sent):
    assert fspiop_name(text) == sent
    assert NAME_1_1.fullmatch(sent)


@pytest.mark.parametrize("text", ["", "   ", "***", "\u200d\u200d", "-.,'"])
def test_a_name_with_nothing_of_a_name_is_not_sent(text):
    assert fspiop_name(text) is None


def test_a_long_name_is_cut_to_the_longest_name_allowed():
    sent = fspiop_name("N" * 10_000)
    assert sent is not None and len(sent) == NAME_CHARS_MAX and NAME_1_1.fullmatch(sent)
