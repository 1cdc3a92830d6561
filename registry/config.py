"""Settings: read from SCREG_* environment variables or given by the CLI.

Every field here is documented in docs/settings.md; a test checks that.
Nothing reads the environment at import time: call `load_settings()`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCREG_", extra="forbid", frozen=True)

    store: str = Field(
        "var/registry",
        description="Where the registry lives: a folder path (embedded Oxigraph), `memory`, "
        "or an http(s) SPARQL endpoint URL.",
    )
    seed: bool = Field(
        True, description="Seed an empty store with the ontology and the examples on first use."
    )
    base_iri: str = Field(
        "http://127.0.0.1:8000/id/", description="Base under which entry IRIs are minted."
    )
    lang: Literal["zh", "en"] = Field("zh", description="Default language of messages.")
    max_body_bytes: int = Field(
        20 * 1024 * 1024, gt=0, description="Largest accepted upload, in bytes (413 above)."
    )
    report_max_results: int = Field(
        1000, gt=0, description="Most validation results listed in a report; the rest are counted."
    )
    sparql_max_query_length: int = Field(
        20_000, gt=0, description="Longest accepted public SPARQL query, in characters."
    )
    sparql_max_depth: int = Field(
        64, gt=0, description="Deepest nesting of groups accepted in a public SPARQL query."
    )
    sparql_max_rows: int = Field(
        10_000, gt=0, description="Most result rows returned by a public SPARQL query."
    )
    sparql_timeout_seconds: float = Field(
        10.0, gt=0, description="Run time after which a public SPARQL query is stopped (503)."
    )
    target_national: int = Field(
        200,
        ge=0,
        description="Plan target: international, national and industry standards led or joined.",
    )
    target_local: int = Field(
        100,
        ge=0,
        description="Plan target: local standards, local specifications, group standards.",
    )

    @field_validator("base_iri")
    @classmethod
    def _base_iri_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/"):
            raise ValueError("base_iri must be an http(s) IRI ending with '/'")
        if any(c in value for c in ' <>"{}|\\^`'):
            raise ValueError("base_iri contains characters not allowed in an IRI")
        return value


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit values (CLI flags) taking precedence."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
