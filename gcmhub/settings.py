"""Configuration from the environment (and a `.env` file), read once."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting GCM Hub reads; each has a default a user never has to change."""

    model_config = SettingsConfigDict(env_prefix="GCMHUB_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("gcmhub-data"),
        description="Folder holding the SQLite database and search files.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "GCMHUB_DATABASE_URL"),
        description="SQLAlchemy URL of another database; SQLite in the data folder when unset.",
    )
    segment_max_chars: int = Field(
        default=3000,
        ge=300,
        description="Longest knowledge item cut from a document, in characters.",
    )
    embedder: str = Field(
        default="e5",
        description="Embedding backend: e5 (bundled multilingual-e5-small) or module:factory.",
    )
    embed_max_chars: int = Field(
        default=2000,
        ge=100,
        description="Longer texts are cut at a word before embedding (e5 reads 512 tokens).",
    )
    semantic: bool = Field(
        default=True,
        description="Embed and tag items when they are ingested (off: lexical only).",
    )
    autotag_schemes: str = Field(
        default="objective,cluster",
        description="Schemes every ingested item is tagged with automatically, comma-separated.",
    )
    autotag_facet_min: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Automatic tags at or above this score count in facets and filters.",
    )
    semantic_min_similarity: float = Field(
        default=0.78,
        ge=0.0,
        le=1.0,
        description="Cosine similarity an item needs, at least, to count as a meaning match.",
    )
    semantic_margin: float = Field(
        default=0.07,
        ge=0.0,
        le=1.0,
        description="Meaning matches lie within this much similarity of the best one.",
    )
    ann_threshold: int = Field(
        default=200_000,
        ge=1000,
        description="Above this many vectors, search uses an approximate (HNSW) index.",
    )
    facet_max_rows: int = Field(
        default=50_000,
        ge=1000,
        description="Matches above this count get facet counts from a sample (marked approximate).",
    )

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address the site is reached at; identifiers in JSON-LD and DCAT use it.",
    )
    languages: str = Field(
        default="en,fr,es",
        description="Interface languages offered, comma-separated; the first is the default.",
    )
    web_threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Requests a web worker handles at once; more only contend for the GIL.",
    )
    session_hours: int = Field(default=12, ge=1, le=24 * 30, description="Hours a sign-in lasts.")
    login_attempts: int = Field(
        default=5, ge=1, le=100, description="Wrong passwords in a row before an account locks."
    )
    lockout_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="Minutes an account stays locked."
    )
    login_rate: int = Field(
        default=10, ge=1, description="Sign-in attempts one address may make per minute."
    )
    write_rate: int = Field(
        default=60, ge=1, description="Writes one person or address may make per minute."
    )
    max_body_bytes: int = Field(
        default=2_000_000, ge=1000, description="Largest request body accepted (larger: HTTP 413)."
    )
    max_query_chars: int = Field(
        default=4096,
        ge=256,
        description="Longest query string a web request may carry (longer: HTTP 414).",
    )
    hub_deadlines: str = Field(
        default="submitted=5,triaged=10,matched=15,in_progress=120,resolved=30",
        description="Days a hub request may stay in each state before it is overdue "
        "(a working assumption of this project, not a published UN standard).",
    )
    practice_deadlines: str = Field(
        default="submitted=10,in_review=30,clarification_requested=21",
        description="Days a practice submission may stay in each state before it is overdue "
        "(a working assumption of this project, not a published UN standard).",
    )
    smtp_host: str = Field(
        default="", description="Mail relay for notifications; empty: in-app notices only."
    )
    smtp_port: int = Field(default=25, ge=1, le=65535, description="Mail relay port.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS with the relay.")
    smtp_user: str = Field(default="", description="Relay user name, if it needs one.")
    smtp_password: str = Field(default="", description="Relay password (keep it in the env).")
    mail_from: str = Field(
        default="GCM Hub <gcmhub@localhost>", description="Sender of notification emails."
    )
    fund_currency: str = Field(
        default="USD",
        description="Currency the start-up fund's ledger is kept in (ISO 4217, two decimals "
        "at most); other currencies are converted at a rate recorded with each entry.",
    )
    fund_aa_fee: Decimal = Field(
        default=Decimal("0.01"),
        ge=0,
        le=Decimal("0.2"),
        description="Administrative Agent fee taken on each deposit (0.01 = 1 %): the usual UN "
        "pass-through default, a working assumption [M] to check in the fund's Terms of Reference.",
    )
    fund_indirect_rate: Decimal = Field(
        default=Decimal("0.07"),
        ge=0,
        le=Decimal("0.5"),
        description="Indirect costs of participating organizations charged on each transfer "
        "(0.07 = 7 %): the usual UN pass-through default, a working assumption [M] to check.",
    )
    fund_spread: float = Field(
        default=20.0,
        ge=0,
        le=100,
        description="Appraisal: reviewers' totals (0-100) further apart than this many points "
        "are flagged for the steering committee to look at.",
    )
    fund_tranches: str = Field(
        default="60,40",
        pattern=r"^\s*\d{1,3}(\s*,\s*\d{1,3}){0,9}\s*$",
        description="A project's default disbursement plan: the share of its allocation in each "
        "tranche, in %, summing to 100. A working assumption [M]: the Migration MPTF's "
        "tranche practice is set per project.",
    )
    fund_tranche_delivery: Decimal = Field(
        default=Decimal("0.75"),
        ge=0,
        le=1,
        description="A later tranche is released once the project's reported expenditure "
        "reaches this share of what was transferred (0.75 = 75 %), a common UN practice [M].",
    )
    review_capacity_domains: Path | None = Field(
        default=None,
        description="Review: a CSV file (id,label,definition,scale_max) of the domains capacity "
        "assessments score; unset, the six domains of the Migration Governance Indicators [M] "
        "shipped in gcmhub/review/data/capacity-domains.csv.",
    )
    disclosure_threshold: int = Field(
        default=5,
        ge=0,
        description="Indicators: counts of people below this number in disaggregated series "
        "(by sex, age, origin…) and survey results from fewer respondents are withheld from "
        "public views and exports (0: no suppression).",
    )
    contribution_rate: int = Field(
        default=5,
        ge=1,
        description="Community: contributions one person may post to consultations per minute "
        "(more: HTTP 429, nothing stored).",
    )
    message_rate: int = Field(
        default=5,
        ge=1,
        description="Community: messages one person may send to organizations and members per "
        "minute, replies included (more: HTTP 429, nothing stored).",
    )

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: str) -> str:
        from babel import Locale, UnknownLocaleError

        for code in (c.strip() for c in value.split(",") if c.strip()):
            try:
                Locale.parse(code)
            except (UnknownLocaleError, ValueError):
                raise ValueError(f"'{code}' is not a language code (en, fr, es, ar…)") from None
        return value

    @field_validator("fund_currency")
    @classmethod
    def _base_currency(cls, value: str) -> str:
        from gcmhub.fund.money import base_currency_code

        return base_currency_code(value)

    @field_validator("hub_deadlines")
    @classmethod
    def _known_states(cls, value: str) -> str:
        from gcmhub.hub.workflow import REQUEST_STATES
        from gcmhub.workflow import parse_deadlines

        parse_deadlines(value, REQUEST_STATES)
        return value

    @field_validator("practice_deadlines")
    @classmethod
    def _known_practice_states(cls, value: str) -> str:
        from gcmhub.practices.workflow import PRACTICE_STATES
        from gcmhub.workflow import parse_deadlines

        parse_deadlines(value, PRACTICE_STATES)
        return value

    @property
    def language_list(self) -> list[str]:
        """Return the interface languages, the default first."""
        return [code.strip() for code in self.languages.split(",") if code.strip()] or ["en"]

    @property
    def url(self) -> str:
        """Return the database URL in force."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gcmhub.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
