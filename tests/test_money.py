import pytest

from inzira.money import MoneyError, currency, format_minor, money_text, parse_amount, parse_decimal_minor


def test_parse_and_format_round_trip():
    assert parse_amount("200 EUR").minor == 20000
    assert parse_amount("EUR 200.00").minor == 20000
    assert parse_amount("15,000 RWF").minor == 15000
    assert parse_amount("0.5 usd").minor == 50
    assert format_minor(15000, "RWF") == "15,000 RWF"
    assert format_minor(20000, "EUR") == "200.00 EUR"
    assert format_minor(5, "USD") == "0.05 USD"
    assert format_minor(1234567, "KWD") == "1,234.567 KWD"


@pytest.mark.parametrize(
    "text",
    ["", "EUR", "200", "-5 EUR", "1.001 EUR", "1.5 RWF", "12 XYZ", "EUR 5 USD", "1e3 EUR", "abc EUR", "1.2.3 EUR"],
)
def test_parse_rejects(text):
    with pytest.raises(MoneyError):
        parse_amount(text)


def test_currency_table():
    assert currency("rwf").numeric == "646" and currency("RWF").exponent == 0
    assert currency("EUR").numeric == "978" and currency("EUR").exponent == 2
    for code in ["RWF", "EUR", "USD", "CNY", "GBP", "AED", "KES", "UGX", "TZS", "ZAR"]:
        assert currency(code).code == code


def test_an_unknown_currency_is_named_with_the_codes_inzira_knows():
    # BHD is ISO 4217 but not in Inzira's table: the error must not say it is not an ISO 4217 code.
    with pytest.raises(MoneyError) as caught:
        currency("BHD")
    assert str(caught.value).startswith("unknown currency 'BHD': Inzira knows the ISO 4217 codes RWF, EUR, USD")


def test_a_too_large_amount_says_the_largest_one():
    with pytest.raises(MoneyError) as caught:
        parse_amount("99999999999999999999999999 EUR")
    assert str(caught.value) == ("99999999999999999999999999 EUR is too large: at most "
                                 "92,233,720,368,547,758.07 EUR")


def test_money_text_formats_known_currencies_and_shows_unknown_ones_as_minor_units():
    assert money_text(1_500_000, "RWF") == "1,500,000 RWF"
    assert money_text(-20_050, "EUR") == "-200.50 EUR"
    assert money_text(125, "XXX") == "125 (minor units of XXX)"


@pytest.mark.parametrize("digits", [100_000, 1_000_000])
def test_an_amount_of_many_digits_is_refused_before_it_is_read(digits):
    """A million digits raised decimal.Overflow (no MoneyError), and a hundred thousand took a second of CPU."""
    with pytest.raises(MoneyError, match="longer than 64 characters"):
        parse_decimal_minor("9" * digits, "EUR")
