"""Configuration from the environment (and a `.env` file), read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
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
    facet_max_rows: int = Field(
        default=50_000,
        ge=1000,
        description="Matches above this count get facet counts from a sample (marked approximate).",
    )

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
