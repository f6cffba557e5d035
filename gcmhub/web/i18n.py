"""Interface languages: gettext catalogs compiled from .po files, and the one a request gets."""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

from gcmhub.settings import get_settings

CATALOGS = Path(__file__).parent / "translations"
DOMAIN = "messages"
COOKIE = "lang"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@lru_cache(maxsize=16)
def translations(code: str) -> gettext.NullTranslations:
    """Return the catalog of a language, compiled in memory from its .po file."""
    path = CATALOGS / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def offered() -> list[str]:
    """Return the interface languages offered, the default first."""
    return get_settings().language_list


def negotiate(request: Request) -> str:
    """Return the language of a request: ?lang=, then the cookie, then Accept-Language."""
    languages = offered()
    for chosen in (request.query_params.get(COOKIE), request.cookies.get(COOKIE)):
        if chosen in languages:
            return chosen
    header = request.headers.get("accept-language", "")
    wanted = [part.split(";")[0].strip().replace("-", "_") for part in header.split(",")]
    found = negotiate_locale([w for w in wanted if w], languages, sep="_")
    if found is None:  # "fr_CA" asks for French too
        found = negotiate_locale([w.split("_")[0] for w in wanted if w], languages)
    return found or languages[0]


@lru_cache(maxsize=32)
def locale_of(code: str) -> Locale:
    """Return Babel's description of a language (its name, script direction, formats)."""
    return Locale.parse(code)


def direction(code: str) -> str:
    """Return "rtl" for a right-to-left language, else "ltr"."""
    return "rtl" if locale_of(code).text_direction == "rtl" else "ltr"
