"""Settings: data directory, database URL, user profile folder and crawler politeness defaults.

Every value has a default and an environment variable that overrides it, so that the CLI, the service and the
tests agree without passing settings around.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = field(
        default_factory=lambda: _env_path("DIEMTIN_DATA", Path.home() / ".local/share/diemtin")
    )
    database: str | None = field(default_factory=lambda: os.environ.get("DIEMTIN_DB"))
    user_agent: str = field(
        default_factory=lambda: os.environ.get(
            "DIEMTIN_USER_AGENT", "diemtin/0.1 (+https://github.com/diemtin/diemtin; news research crawler)"
        )
    )
    contact: str | None = field(default_factory=lambda: os.environ.get("DIEMTIN_CONTACT"))
    host_delay_seconds: float = field(
        default_factory=lambda: float(os.environ.get("DIEMTIN_HOST_DELAY", "1.0"))
    )
    host_concurrency: int = field(
        default_factory=lambda: int(os.environ.get("DIEMTIN_HOST_CONCURRENCY", "1"))
    )
    max_body_bytes: int = 20 * 1024 * 1024
    # a shared (PostgreSQL) frontier: a worker not heard from for this long has its claims taken back
    crawl_lease_seconds: float = field(
        default_factory=lambda: float(os.environ.get("DIEMTIN_CRAWL_LEASE", "300"))
    )
    # crawler network: the standard proxy and CA-bundle variables; private targets refused unless allowed
    proxy: str | None = field(
        default_factory=lambda: os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
        or os.environ.get("HTTP_PROXY") or os.environ.get("http_proxy")
    )  # fmt: skip
    ca_bundle: str | None = field(default_factory=lambda: os.environ.get("SSL_CERT_FILE"))
    allow_private_addresses: bool = field(
        default_factory=lambda: os.environ.get("DIEMTIN_ALLOW_PRIVATE", "") in {"1", "true", "yes"}
    )

    @property
    def database_path(self) -> Path:
        """The SQLite file: DIEMTIN_DB when set, else diemtin.db under the data directory."""
        if self.database:
            return Path(self.database).expanduser()
        return self.data_dir / "diemtin.db"

    @property
    def profile_dir(self) -> Path:
        return self.data_dir / "sites"

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warc"


def settings() -> Settings:
    return Settings()
