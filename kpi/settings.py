"""Named settings with their reasons; each can be set as ``KPI_<NAME>``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KPI_", extra="ignore")

    db: str = Field(str(ROOT / "data" / "kpi.duckdb"),
                    description="Where the store is: a DuckDB file (embedded mode), or a PostgreSQL URL "
                    "`postgresql://user:password@host:port/db` (server mode); `--db` on the command line wins over it.")
    lock_wait: float = Field(5.0, ge=0, description="Embedded mode: how long (seconds) a command or a page waits for "
                             "the DuckDB file while another process holds it, before saying it is busy.")
    pool_size: int = Field(8, ge=1, description="Server mode: the most PostgreSQL connections one app process or "
                           "command keeps open (psycopg-pool).")
    plans_dir: Path = Field(ROOT / "data" / "plans", description="Where plan files (*.yaml) live.")
    default_plan: str = Field("2023-H2", description="The plan `init` loads and the dashboard opens on.")
    sample_dir: Path = Field(ROOT / "data" / "sample",
                             description="Sample actuals (*.csv) that `init --sample` loads, marked as sample data.")
    on_track_ratio: float = Field(1.0, gt=0, description="Actual ÷ expected at or above this is on track.")
    at_risk_ratio: float = Field(0.85, gt=0, description="Actual ÷ expected at or above this (and below on track) "
                                 "is at risk; below it, off track.")
    secrets_file: Path = Field(ROOT / ".streamlit" / "secrets.toml",
                               description="Where password hashes are kept ([editors], [viewers] name = hash), "
                               "and area editors' work areas ([areas] name = [\"INV\"]).")
    signin_first_delay_seconds: float = Field(1.0, ge=0, description="The wait before the next sign-in try after a "
                                              "failed one; it doubles with each failure in a row.")
    signin_max_delay_seconds: float = Field(8.0, ge=0, description="The longest wait between sign-in tries (the "
                                            "doubling stops here).")
    signin_lockout_failures: int = Field(10, ge=1, description="Failed sign-ins in a row that lock a name "
                                         "(counted before the password is checked, so parallel guesses count too).")
    signin_lockout_minutes: float = Field(15.0, gt=0, description="How long a locked name stays locked; the message "
                                          "says when to try again.")
    signin_global_per_minute: int = Field(60, ge=1, description="Sign-in tries per minute for all names together, "
                                          "per server process (a bound on guessing across many names).")
    session_hours: float = Field(12.0, gt=0, description="How long a sign-in lasts (the session cookie and its "
                                 "record in the store): a working day.")
    session_secret: str = Field("", description="The key that signs session cookies; empty: a random key kept in "
                                "the secrets file ([sessions] key).")
    editor_min_password: int = Field(12, ge=8, description="The shortest password `python -m kpi editor add` "
                                     "accepts.")
    due_within_days: int = Field(14, ge=0, description="The Due list (待办) names milestones due within this many "
                                 "days (and every overdue one); `kpi due --within` and the Due page can change it.")
    due_report_days: int = Field(10, ge=0, description="Days after a period ends by which its values and "
                                 "explanations are due (the deadlines of the Due list and its calendar).")
    public_url: str = Field("http://localhost:8501", description="The dashboard's address as people open it: the "
                            "links of `kpi due` (JSON, CSV, calendar events) start with it.")
    evidence_types: str = Field("pdf,png,jpg,jpeg,docx,xlsx,doc,xls", description="The kinds of evidence file "
                                "(佐证材料) accepted, by name ending: PDF, images (also gif, webp), Word, Excel; each "
                                "file's first bytes must match its kind.")
    evidence_max_bytes: int = Field(10 * 1024 * 1024, gt=0, description="Largest evidence file accepted (10 MB: a "
                                    "scanned signed report fits well within it).")
    upload_max_bytes: int = Field(20 * 1024 * 1024, gt=0,
                                  description="Largest upload accepted (20 MB: a year of monthly data for "
                                  "a city fits in well under 1 MB).")
    upload_max_rows: int = Field(1_048_576, gt=0, description="Most rows a file may have, header included "
                                 "(Excel's own limit).")
    upload_max_columns: int = Field(1_000, gt=0, description="Most columns a file may have (the wide template of "
                                    "ten years of months has about 125).")
    upload_max_cells: int = Field(5_000_000, gt=0, description="Most cells (rows × columns, empty ones included) a "
                                  "file may span: a million rows of indicator, period, value and note is 4 million.")
    upload_memory_mb: int = Field(1_536, gt=0, description="Memory (address space, MB) that reading and checking one "
                                  "upload may add, in a child process of its own; past it the file is refused (a "
                                  "20 MB CSV through the full checks takes about 1,030 MB).")
    upload_seconds: float = Field(60.0, gt=0, description="Time that reading and checking one upload may take; "
                                  "past it the file is refused.")
    note_max_chars: int = Field(500, gt=0, description="Longest note or reason (characters), in uploads and in "
                                "the forms of the indicator page.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
