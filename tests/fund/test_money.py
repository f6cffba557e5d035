"""Money: amounts parsed exactly or refused with the field named, currencies, formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gcmhub.errors import InvalidInput
from gcmhub.fund.money import (
    Money,
    convert,
    currency_code,
    format_money,
    minor_unit,
    parse_amount,
    parse_rate,
)

D = Decimal


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1,234.56", D("1234.56")),
        ("1234.56", D("1234.56")),
        (" 1,000,000 ", D("1000000")),
        (D("0.10"), D("0.10")),
        (12, D("12")),
        (0.1, D("0.1")),  # read through its shortest text, not its binary value
        ("+5", D("5")),
    ],
)
def test_amounts_are_read_exactly(given: object, expected: Decimal) -> None:
    assert parse_amount(given, "amount") == expected


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("-5", "must not be negative"),
        (-0.01, "must not be negative"),
        ("12,3x", "is not an amount"),
        ("12,3", "decimal comma"),
        ("1,23,456", "is not an amount"),
        ("1e6", "is not an amount"),
        ("NaN", "is not an amount"),
        (float("inf"), "finite"),
        ("", "give a number"),
        (True, "not true"),
        (None, "give a number"),
        ("0", "more than zero"),
        ("10000000000000", "largest amount"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(given: object, says: str) -> None:
    with pytest.raises(InvalidInput, match=f"^deposit.amount: .*{says}"):
        parse_amount(given, "deposit.amount")


def test_an_amount_has_no_more_decimals_than_its_currency() -> None:
    assert parse_amount("12.340", "amount", "USD") == D("12.34")
    assert str(parse_amount("12.340", "amount", "USD")) == "12.34"
    with pytest.raises(InvalidInput, match="USD has 2 decimals"):
        parse_amount("12.345", "amount", "USD")
    with pytest.raises(InvalidInput, match="JPY has 0 decimals"):
        parse_amount("100.5", "amount", "JPY")
    assert parse_amount("1.234", "amount", "KWD") == D("1.234")
    assert [minor_unit(c) for c in ("USD", "JPY", "KWD", "CLF")] == [2, 0, 3, 4]


def test_currencies_are_iso_4217_money() -> None:
    assert currency_code(" eur ") == "EUR"
    assert currency_code("XOF") == "XOF"  # the West African CFA franc is money
    for code in ("XXY", "XAU", "XTS", "US", "", "usdollar"):
        with pytest.raises(InvalidInput, match="^currency: "):
            currency_code(code)
    with pytest.raises(InvalidInput, match="unknown currency 'XXY'"):
        Money.of("5", "XXY")


def test_rates_keep_ten_decimals_and_conversion_rounds_half_up() -> None:
    assert parse_rate("1.08") == D("1.0800000000")
    assert parse_rate("0.00671234567891") == D("0.0067123457")
    for bad in ("0", "-1.1", "abc", "0.000000000001"):
        with pytest.raises(InvalidInput, match="^rate: "):
            parse_rate(bad)
    assert convert(D("500000.00"), D("1.08"), "USD") == D("540000.00")
    assert convert(D("0.125"), D("1"), "USD") == D("0.13")  # half up, not to even
    assert Money.of("100", "EUR").to("USD", D("1.0833")) == Money(D("108.33"), "USD")


def test_money_is_written_as_each_locale_reads_it() -> None:
    assert format_money(D("1234.5"), "USD", "en") == "$1,234.50"
    assert format_money(D("1234.5"), "EUR", "fr") == "1\u202f234,50\u00a0€"
    assert format_money(D("1234.5"), "USD", "es") == "1.234,50\u00a0US$"
    assert Money(D("1000"), "JPY").format("en") == "¥1,000"


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=D("0.01"), max_value=D("999999999999.99"), places=2))
def test_every_amount_written_with_thousands_commas_reads_back(amount: Decimal) -> None:
    assert parse_amount(f"{amount:,.2f}", "amount", "USD") == amount
    assert parse_amount(str(amount), "amount", "USD") == amount


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.decimals()))
def test_anything_else_is_read_or_refused_never_crashes(value: object) -> None:
    try:
        amount = parse_amount(value, "amount", "USD")
    except InvalidInput as refusal:
        assert str(refusal).startswith("amount: ")
    else:
        assert D("0") < amount <= D("1000000000000") and amount == amount.quantize(D("0.01"))
