"""Money: Decimal amounts in a currency, parsed safely, rounded to the currency's minor unit.

Amounts are never floats. Input may be a Decimal, an int, a float from JSON (read through its
shortest text, so 0.1 stays 0.1) or text with an optional thousands comma ("1,234.56"); a
negative, empty, malformed or over-long amount is refused with `InvalidInput` (422) naming the
field. Text with a decimal comma ("12,3") is refused rather than guessed at. An amount with
more decimals than its currency has (12.345 USD) is refused too: money is not rounded silently.

Currencies are ISO 4217 codes (pycountry's list) that are money: the codes for gold and other
metals, bond units, testing and "no currency" (XAU, XTS, XXX…) are refused. The minor unit
(2 for USD, 0 for JPY, 3 for KWD) comes from Babel's CLDR data. Converted amounts are rounded
half-up to the minor unit of the target currency; rates keep ten decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from gcmhub.errors import InvalidInput

# Every stored amount fits NUMERIC(18, 2) and a scaled 64-bit integer on SQLite.
MAX_AMOUNT = Decimal("1000000000000")  # 10^12 in any currency: no contribution comes near
RATE_PLACES = Decimal("0.0000000001")
MAX_RATE = Decimal("100000")
NOT_MONEY = {
    "XAG",  # silver
    "XAU",  # gold
    "XPD",  # palladium
    "XPT",  # platinum
    "XBA",
    "XBB",
    "XBC",
    "XBD",  # European bond market units
    "XDR",  # IMF special drawing right: a unit of account, not paid in
    "XSU",  # SUCRE
    "XUA",  # ADB unit of account
    "XTS",  # reserved for testing
    "XXX",  # no currency
}
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_MONEY


def currency_code(value: object, field: str = "currency") -> str:
    """Return an ISO 4217 currency code in capitals, refusing an unknown one (422)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field}: give a currency as its ISO 4217 code (USD, EUR, CHF…)")
    code = value.strip().upper()
    if code not in _iso_codes():
        shown = code if len(code) <= 12 else code[:12] + "…"
        raise InvalidInput(f"{field}: unknown currency '{shown}' (ISO 4217 codes: USD, EUR…)")
    return code


def base_currency_code(value: str) -> str:
    """Return the code of a currency a ledger can be kept in (two decimals at most)."""
    try:
        code = currency_code(value, "GCMHUB_FUND_CURRENCY")
    except InvalidInput as error:
        raise ValueError(str(error)) from None
    if minor_unit(code) > 2:
        raise ValueError(f"{code} has {minor_unit(code)} decimals; the ledger keeps two at most")
    return code


def minor_unit(currency: str) -> int:
    """Return how many decimals a currency has (USD 2, JPY 0, KWD 3)."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency))


def quantum(currency: str) -> Decimal:
    """Return the smallest amount of a currency: 0.01 for USD, 1 for JPY."""
    return Decimal(1).scaleb(-minor_unit(currency))


def parse_decimal(value: object, field: str) -> Decimal:
    """Read a number given as Decimal, int, float or text; refuse anything else (422)."""
    if isinstance(value, bool):  # True is an int to Python, never an amount
        raise InvalidInput(f"{field}: give a number, not {str(value).lower()}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        number = _parse_text(value.strip(), field)
    else:
        raise InvalidInput(f"{field}: give a number such as 1234.56")
    if not number.is_finite():
        raise InvalidInput(f"{field}: give a finite number such as 1234.56")
    return number


def _parse_text(text: str, field: str) -> Decimal:
    shown = text if len(text) <= 30 else text[:30] + "…"
    sign = ""
    if text[:1] in "+-":
        sign, text = text[:1], text[1:].strip()
    if not text:
        raise InvalidInput(f"{field}: give a number such as 1234.56")
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif re.fullmatch(r"[0-9]+,[0-9]{1,2}", text):
        raise InvalidInput(
            f"{field}: '{shown}' uses a decimal comma; write decimals with a point (12.30)"
        )
    if not _PLAIN.fullmatch(text) or len(text) > 40:
        raise InvalidInput(f"{field}: '{shown}' is not an amount (write 1234.56 or 1,234.56)")
    try:
        return Decimal(sign + text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise InvalidInput(f"{field}: '{shown}' is not an amount") from None


def parse_amount(
    value: object, field: str = "amount", currency: str | None = None, zero: bool = False
) -> Decimal:
    """Return a positive amount (zero too when `zero`), exact to the currency's minor unit.

    Refuses (422, naming the field) a negative or malformed amount, one above 10^12, and one
    with more decimals than the currency has.
    """
    number = parse_decimal(value, field)
    if number < 0:
        raise InvalidInput(f"{field}: must not be negative ({number})")
    if number == 0 and not zero:
        raise InvalidInput(f"{field}: must be more than zero")
    if number > MAX_AMOUNT:
        raise InvalidInput(f"{field}: {number} is more than the largest amount, 10^12")
    if currency is None:
        return number
    places = quantum(currency)
    exact = number.quantize(places, rounding=ROUND_HALF_EVEN)
    if exact != number:
        raise InvalidInput(
            f"{field}: {currency} has {minor_unit(currency)} decimals; {number} has more"
        )
    return exact


def parse_rate(value: object, field: str = "rate") -> Decimal:
    """Return an exchange rate (units of the base currency for one unit), ten decimals kept."""
    number = parse_decimal(value, field)
    if number <= 0:
        raise InvalidInput(f"{field}: an exchange rate must be more than zero")
    if number > MAX_RATE:
        raise InvalidInput(f"{field}: {number} is not a plausible exchange rate")
    rate = number.quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)
    if rate == 0:
        raise InvalidInput(f"{field}: {number} is too small a rate (ten decimals are kept)")
    return rate


def to_minor(amount: Decimal, currency: str) -> Decimal:
    """Round an amount half-up to the currency's minor unit (a converted amount)."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def convert(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """Return `amount` times `rate`, rounded half-up to the minor unit of `currency`."""
    return to_minor(amount * rate, currency)


def converted(amount: Decimal, rate: Decimal, currency: str, field: str = "amount") -> Decimal:
    """Convert an amount given by a person, refusing a result above the largest amount."""
    result = convert(amount, rate, currency)
    if result > MAX_AMOUNT:
        raise InvalidInput(f"{field}: {result} {currency} is more than the largest amount, 10^12")
    return result


def format_money(amount: Decimal, currency: str, locale: str = "en") -> str:
    """Write an amount as people of a locale read it: "$1,234.56", "1 234,56 €"."""
    from babel.numbers import format_currency

    return str(format_currency(amount, currency, locale=locale))


@dataclass(frozen=True)
class Money:
    """An exact amount in a currency."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, value: object, currency: object, field: str = "amount") -> Money:
        """Parse an amount and its currency (422 naming the field when either is wrong)."""
        code = currency_code(currency, "currency")
        return cls(parse_amount(value, field, code), code)

    def to(self, currency: str, rate: Decimal) -> Money:
        """Convert at a rate (units of `currency` for one unit of this one)."""
        return Money(convert(self.amount, rate, currency), currency)

    def format(self, locale: str = "en") -> str:
        """Write the amount for a locale."""
        return format_money(self.amount, self.currency, locale)
