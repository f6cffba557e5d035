"""The hub's closed lists: kinds of support, modalities, providers, confidentiality, languages.

Labels are marked for translation; codes are what the API and the database hold.
"""

from __future__ import annotations

from gcmhub.errors import InvalidInput
from gcmhub.web.i18n import N_

SUPPORT_TYPES = {
    "policy_advice": N_("Policy advice"),
    "technical_assistance": N_("Technical assistance"),
    "training": N_("Training"),
    "data_statistics": N_("Data and statistics"),
    "peer_exchange": N_("Peer exchange"),
    "financing": N_("Financing"),
}
MODALITIES = {"remote": N_("Remote"), "on_site": N_("On site")}
PROVIDER_KINDS = {"organization": N_("Organization"), "expert": N_("Expert")}
ORGANIZATION_TYPES = {
    "un_entity": N_("UN entity"),
    "government": N_("Government"),
    "civil_society": N_("Civil society"),
    "academia": N_("Academia"),
    "private_sector": N_("Private sector"),
    "diaspora": N_("Diaspora or migrant association"),
    "local_authority": N_("Local authority"),
    "trade_union": N_("Trade union"),
    "international_organization": N_("International organization"),
    "nhri": N_("National human rights institution"),
    "expert": N_("Independent expert"),
}
CONFIDENTIALITY = {
    "public": N_("Public: shown to everyone"),
    "anonymised": N_("Anonymised: shown without the institution and contact"),
    "private": N_("Private: the secretariat, the country and engaged providers only"),
}
# The six official UN languages first, then others partners often work in.
LANGUAGES = {
    "ar": "العربية",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ru": "Русский",
    "zh": "中文",
    "pt": "Português",
    "de": "Deutsch",
    "it": "Italiano",
    "sw": "Kiswahili",
    "hi": "हिन्दी",
    "tr": "Türkçe",
    "id": "Bahasa Indonesia",
    "bn": "বাংলা",
}


def checked(field: str, values: list[str], allowed: dict[str, str]) -> list[str]:
    """Return the codes of a list, refusing any not in `allowed` (a 422 naming them)."""
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise InvalidInput(f"{field}: unknown {', '.join(wrong)}; use {', '.join(allowed)}")
    return sorted(set(values), key=list(allowed).index)
