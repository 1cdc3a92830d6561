"""Settings: read from SCREG_* environment variables or given by the CLI.

Every field here is documented in docs/settings.md; a test checks that.
Nothing reads the environment at import time: call `load_settings()`.
"""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Below this a SPARQL worker cannot even open an on-disk store (~420 MiB of address
# space idle); with the in-memory copy of the public graphs, below the second.
MIN_WORKER_MEMORY_MB = 512
MIN_WORKER_MEMORY_MB_WITH_COPY = 4096
# An upload reader with its modules loaded and nothing read yet.
MIN_UPLOAD_MEMORY_MB = 256


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCREG_", extra="forbid", frozen=True)

    store: str = Field(
        "var/registry",
        description="Where the registry lives: a folder path (embedded Oxigraph), `memory`, "
        "or an http(s) SPARQL endpoint URL.",
    )
    store_update_url: str | None = Field(
        None,
        description="SPARQL 1.1 Update endpoint of a remote store; unset: the query endpoint URL.",
    )
    store_graph_store_url: str | None = Field(
        None,
        description="Graph Store Protocol endpoint of a remote store, used to read whole graphs; "
        "unset: graphs are read with SPARQL.",
    )
    store_user: str | None = Field(None, description="User name for a remote store.")
    store_password: SecretStr | None = Field(None, description="Password for a remote store.")
    store_auth: Literal["auto", "basic", "digest"] = Field(
        "auto",
        description="HTTP authentication for a remote store; `auto` answers the server's "
        "challenge (Basic or Digest).",
    )
    store_timeout_seconds: float = Field(
        60.0, gt=0, description="Time allowed for one request to a remote store."
    )
    store_publish_timeout_seconds: float = Field(
        120.0,
        gt=0,
        description="Time allowed for the single update that publishes a write on a remote "
        "store; also the lease of the writer lock a killed process leaves behind.",
    )
    store_chunk_triples: int = Field(
        1000, gt=0, le=20_000, description="Triples per update request sent to a remote store."
    )
    store_stale_transaction_seconds: float = Field(
        3600.0,
        gt=0,
        description="Age after which an unpublished write on a remote store is taken for the "
        "leftover of a dead process and removed.",
    )
    store_system_graphs: list[str] = Field(
        default_factory=list,
        description="Graphs of a remote server that are not the registry's, beyond those its "
        "dialect knows (Virtuoso's own).",
    )
    store_server: Literal["auto", "virtuoso", "oxigraph", "generic"] = Field(
        "auto",
        description="Which SPARQL server a remote store is, for what it does beyond the "
        "standards (endpoints, time limits); `auto` reads its Server header, `generic` is "
        "plain SPARQL 1.1.",
    )
    seed: bool = Field(
        True, description="Seed an empty store with the ontology and the examples on first use."
    )
    base_iri: str = Field(
        "http://127.0.0.1:8000/id/", description="Base under which entry IRIs are minted."
    )
    automatic_assessments: bool = Field(
        False,
        description="Record automatic conformity assessments of every resource, interface "
        "and catalogue a submission registers or changes, and of the catalogues and "
        "departments they belong to; re-run those made under other shapes or rules in the "
        "background of `screg serve` (docs/assessment.md).",
    )
    lang: Literal["zh", "en"] = Field("zh", description="Default language of messages.")
    time_zone: str = Field(
        "Asia/Shanghai",
        description="Time zone (an IANA zoneinfo name) in which pages show times to people, "
        "with the zone's offset; JSON keeps ISO 8601 with its offset.",
    )
    max_body_bytes: int = Field(
        20 * 1024 * 1024, gt=0, description="Largest accepted upload, in bytes (413 above)."
    )
    read_model: str = Field(
        "",
        description="File of the read model (lists, search, counts, entry records; SQLite). "
        "Empty: beside an embedded store (`<store>.read.sqlite`), in memory for the "
        "memory and remote stores.",
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
    sparql_max_result_bytes: int = Field(
        64 * 1024 * 1024,
        gt=0,
        description="Largest serialised answer of a public SPARQL query, in bytes (400 "
        "`query_result_too_large` above).",
    )
    sparql_worker_memory_mb: int = Field(
        1024,
        ge=0,
        description="Address space of each SPARQL worker process, in MiB, set by the operating "
        "system (RLIMIT_AS); a query that needs more is stopped (400 `query_memory_limit`) and "
        "the worker replaced. 0: no limit. Raise it with `sparql_memory_copy`.",
    )
    sparql_worker_cpu_seconds: float = Field(
        10.0,
        gt=0,
        description="CPU time one public SPARQL query may use in its worker, set by the "
        "operating system (RLIMIT_CPU); past it the worker is stopped (400 `query_cpu_limit`) "
        "and replaced.",
    )
    sparql_memory_copy: bool = Field(
        False,
        description="Each SPARQL worker on the embedded on-disk store keeps an in-memory copy "
        "of the public graphs and answers from it (about 3x faster on a large registry); costs "
        "about 350 bytes of memory a triple per worker and a build of about a minute a worker.",
    )
    upload_workers: int = Field(
        2,
        ge=1,
        le=64,
        description="Worker processes that read the uploads of submissions (parse CSV, XLSX, "
        "XLS, OpenAPI and RDF into triples) for the API; further uploads wait for a free one. "
        "Validations have `validate_concurrency` readers of their own.",
    )
    upload_worker_memory_mb: int = Field(
        1024,
        ge=0,
        description="Address space of each upload reader, in MiB, set by the operating system "
        "(RLIMIT_AS); an upload whose reading needs more is stopped (400 `upload_limit`). "
        "0: no limit.",
    )
    upload_timeout_seconds: float = Field(
        120.0,
        gt=0,
        description="Wall-clock time the reading of one upload may take; past it the reader "
        "is killed (400 `upload_limit`).",
    )
    validation_workers: int = Field(
        2,
        ge=1,
        le=64,
        description="Worker processes that run the shapes on submissions for the API; further "
        "submissions wait for a free one. Validations (`POST /api/v1/validate`) have "
        "`validate_concurrency` workers of their own.",
    )
    validation_worker_memory_mb: int = Field(
        2048,
        ge=0,
        description="Address space of each validation worker, in MiB, set by the operating "
        "system (RLIMIT_AS); an upload whose validation needs more is stopped (400 "
        "`upload_limit`). 0: no limit.",
    )
    validation_timeout_seconds: float = Field(
        300.0,
        gt=0,
        description="Wall-clock time the shapes may take on one submission; past it the "
        "worker is killed (400 `upload_limit`).",
    )
    validate_timeout_seconds: float = Field(
        60.0,
        gt=0,
        description="Wall-clock time the shapes may take on one validation (`POST "
        "/api/v1/validate`, the /validate page); past it the worker is killed (400 "
        "`upload_limit`).",
    )
    validate_max_body_bytes: int = Field(
        8 * 1024 * 1024,
        gt=0,
        description="Largest body of a validation without a token (`POST /api/v1/validate`, "
        "the /validate page), in bytes (413 above); the CLI validates files of any size.",
    )
    sparql_per_client: int = Field(
        1,
        ge=1,
        description="Public SPARQL queries one client address may have running at once in "
        "one API process (429 with `Retry-After` past it): the query workers are few, and "
        "one client looping slow queries on several connections held them all.",
    )
    validate_per_client: int = Field(
        1,
        ge=1,
        description="Validations one client address may have running or queued at once "
        "(429 with `Retry-After` past it).",
    )
    validate_rate_per_minute: int = Field(
        30,
        ge=1,
        description="Validations one client address may start within a minute (429 with "
        "`Retry-After` past it). Counted in each API process.",
    )
    validate_concurrency: int = Field(
        2,
        ge=1,
        description="Validations without a token answered at once (not as jobs) by one API "
        "process, all clients together; one more is answered 503 `busy` with `Retry-After`. "
        "Also the number of worker processes that read validations' uploads, and of those "
        "that run the shapes for them.",
    )
    jobs_max_queued_bytes: int = Field(
        128 * 1024 * 1024,
        gt=0,
        description="Bytes of upload the job queue may hold waiting; a job past it is refused "
        "(503 `queue_full` with `Retry-After`). Validations without a token may fill at most "
        "half of it.",
    )
    graph_max_nodes: int = Field(
        5000,
        ge=1,
        description="Most entries in a dependency graph drawn by GET /api/v1/graph; a larger one "
        "is refused (400 graph_too_large): narrow it with depth, or page /api/v1/impact.",
    )
    header_timeout_seconds: float = Field(
        30.0,
        gt=0,
        description="Seconds a client has to send a request's line and headers, from the "
        "moment its connection opens or its previous response ends; past it `screg serve` "
        "closes the connection (slow clients).",
    )
    body_timeout_seconds: float = Field(
        30.0,
        gt=0,
        description="Seconds a request body may stop arriving before the API answers 408.",
    )
    review_required: bool = Field(
        False,
        description="Keep every submitter's conforming submission as `submitted` until a "
        "registrar accepts or rejects it (docs/registration.md, Review); registrars' own "
        "submissions are not reviewed.",
    )
    review_departments: list[str] = Field(
        default_factory=list,
        description="Credit codes of the departments whose submissions are reviewed even "
        "with `review_required` off (a JSON list).",
    )
    token_lifetime_days: int = Field(
        365,
        ge=1,
        le=36_500,
        description="Days a token made by `screg token create` authenticates for "
        "(`--days` overrides it); past that it is refused like an unknown token.",
    )
    session_hours: float = Field(
        12.0,
        gt=0,
        le=24 * 31,
        description="Hours a sign-in on the pages lasts; the browser's cookie holds a "
        "session that stands for the token for that long, and signing out ends it in every "
        "copy of the cookie.",
    )
    auth_max_failures: int = Field(
        10,
        ge=1,
        description="Failed token checks one client address may make within "
        "`auth_failure_window_seconds`; further attempts are answered 429 until the oldest "
        "failure leaves the window. Counted in each API process.",
    )
    auth_failure_window_seconds: float = Field(
        60.0,
        gt=0,
        le=86_400,
        description="The window over which failed token checks are counted, in seconds.",
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

    city_iri: str = Field(
        "https://sws.geonames.org/2034937/",
        description="The place the registry's entries cover, as an IRI (dct:spatial of every "
        "dataset and catalogue in /catalog and the DCAT-AP export); default Shenyang in "
        "GeoNames. Empty: none stated.",
    )
    city_name_zh: str = Field("沈阳市", description="The city's name in Chinese (of `city_iri`).")
    city_name_en: str = Field("Shenyang", description="The city's name in English (of `city_iri`).")
    catalog_licence: str = Field(
        "",
        description="IRI of the licence open resources are published under (dct:license of "
        "their distributions and of the catalogues in /catalog and the DCAT-AP export), e.g. "
        "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0. Empty: none "
        "stated (the registry cannot choose a licence for a department).",
    )
    catalog_page_size: int = Field(
        100,
        ge=1,
        le=1000,
        description="Datasets and data services on one page of GET /catalog (Hydra paging).",
    )

    @field_validator("base_iri")
    @classmethod
    def _base_iri_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith("/"):
            raise ValueError("base_iri must be an http(s) IRI ending with '/'")
        if any(c in value for c in ' <>"{}|\\^`'):
            raise ValueError("base_iri contains characters not allowed in an IRI")
        return value

    @field_validator("time_zone")
    @classmethod
    def _time_zone_is_known(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            # ValueError: not a zone name at all (an absolute or `..` path).
            raise ValueError(
                f"time_zone {value!r} is not a known zoneinfo name (e.g. Asia/Shanghai, UTC)"
            ) from exc
        return value

    @model_validator(mode="after")
    def _workers_can_hold_what_they_load(self) -> Settings:
        # A worker that cannot load its data cannot answer anything: an idle worker over
        # an on-disk store takes ~420 MiB of address space, a memory copy ~1.8 GB at
        # 50,000 resources; refused here rather than found as failing queries.
        upload_memory = self.upload_worker_memory_mb
        if 0 < upload_memory < MIN_UPLOAD_MEMORY_MB:
            raise ValueError(
                f"upload_worker_memory_mb must be 0 (no limit) or at least {MIN_UPLOAD_MEMORY_MB}"
            )
        validation_memory = self.validation_worker_memory_mb
        if 0 < validation_memory < MIN_UPLOAD_MEMORY_MB:
            raise ValueError(
                "validation_worker_memory_mb must be 0 (no limit) or at least "
                f"{MIN_UPLOAD_MEMORY_MB}"
            )
        memory = self.sparql_worker_memory_mb
        if 0 < memory < MIN_WORKER_MEMORY_MB:
            raise ValueError(
                f"sparql_worker_memory_mb must be 0 (no limit) or at least {MIN_WORKER_MEMORY_MB}"
            )
        if self.sparql_memory_copy and 0 < memory < MIN_WORKER_MEMORY_MB_WITH_COPY:
            raise ValueError(
                "sparql_memory_copy needs sparql_worker_memory_mb of 0 (no limit) or at least "
                f"{MIN_WORKER_MEMORY_MB_WITH_COPY}: each worker holds a copy of the public "
                "graphs, about 350 bytes a triple"
            )
        return self


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit values (CLI flags) taking precedence."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
