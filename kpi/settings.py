"""Named settings with their reasons; each can be set as ``KPI_<NAME>``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KPI_", extra="ignore")

    db: Path = Field(ROOT / "data" / "kpi.duckdb",
                     description="The DuckDB file; `--db` on the command line wins over it.")
    plans_dir: Path = Field(ROOT / "data" / "plans", description="Where plan files (*.yaml) live.")
    default_plan: str = Field("2023-H2", description="The plan `init` loads and the dashboard opens on.")
    sample_dir: Path = Field(ROOT / "data" / "sample",
                             description="Sample actuals (*.csv) that `init --sample` loads, marked as sample data.")
    on_track_ratio: float = Field(1.0, gt=0, description="Actual ÷ expected at or above this is on track.")
    at_risk_ratio: float = Field(0.85, gt=0, description="Actual ÷ expected at or above this (and below on track) "
                                 "is at risk; below it, off track.")
    secrets_file: Path = Field(ROOT / ".streamlit" / "secrets.toml",
                               description="Where editor password hashes are kept ([editors] name = hash).")
    upload_max_bytes: int = Field(20 * 1024 * 1024, gt=0,
                                  description="Largest upload accepted (20 MB: a year of monthly data for "
                                  "a city fits in well under 1 MB).")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
