"""Settings, read from the environment (prefix ``RUXUE_``) and an optional ``.env`` file."""

import datetime as dt
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, IPvAnyNetwork
from pydantic_settings import BaseSettings, SettingsConfigDict

from ruxue.kit.clock import fixed_or_wall

# Development keys: the demo and the tests use them; production sets its own.
DEV_EXCHANGE_CLIENT_KEY = "6465762d636c69656e742d6b65792d72757875652d63697479"
DEV_EXCHANGE_PROVIDER_KEY = "6465762d70726f76696465722d6b65792d73616e64626f78"
DEV_PII_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
DEV_BLIND_INDEX_KEY = "626c696e642d696e6465782d6b65792d646576"
DEV_OIDC_CLIENT_SECRET = "ruxue-dev-secret"
DEV_FILE_KEY = "7c2a51e08d3f964b0e1d2c3b4a596877"
DEV_OIDC_SUBJECT_KEY = "5e0b9d2c7a4f18e3b6c1d0a9f8e7d6c5"
KEY_ID = r"^[A-Za-z0-9_.-]{1,16}$"  # no colon: the id ends at the first one
DEV_VALUES = {
    "oidc_client_secret": DEV_OIDC_CLIENT_SECRET,
    "exchange_client_key": DEV_EXCHANGE_CLIENT_KEY,
    "exchange_provider_key": DEV_EXCHANGE_PROVIDER_KEY,
    "pii_key": DEV_PII_KEY,
    "blind_index_key": DEV_BLIND_INDEX_KEY,
    "file_key": DEV_FILE_KEY,
    "oidc_subject_key": DEV_OIDC_SUBJECT_KEY,
}

SECRETS = tuple(DEV_VALUES)  # every key and secret that has a development value
# the public URL and every department the app calls ("" is off where a setting allows it)
ADDRESSES = ("public_url", "idp_url", "exchange_url", "sms_url", "workorder_url", "upstream_url")
MIN_KEY_BYTES = 16


def weak_key(key: str) -> bool:
    """Shorter than 16 bytes, or too few different bytes for its length (``000…0``, ``abab…``,
    a word repeated): hex is read as the bytes it writes."""
    try:
        data = bytes.fromhex(key)
    except ValueError:
        data = key.encode()
    return len(data) < MIN_KEY_BYTES or len(set(data)) < min(len(data), 32) // 2


def _plain_http(url: str) -> bool:
    return bool(url) and not url.startswith("https://")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RUXUE_", env_file=".env", extra="ignore")

    # production refuses development keys and an http public URL; demo and test allow them
    mode: Literal["production", "demo", "test"] = "production"
    var_dir: Path = Path("var")
    database_url: str = ""
    queue_url: str = ""
    public_url: str = "http://127.0.0.1:8000"
    log_json: bool = False
    # addresses (CIDR) of the reverse proxies whose X-Forwarded-For/-Proto are believed; from any
    # other peer those headers are ignored and the peer's address is used (rate limits, logs)
    trusted_proxies: list[IPvAnyNetwork] = []
    now: dt.datetime | None = None  # a fixed clock for demos and tests (registration windows)
    sms_url: str = "http://127.0.0.1:8100/_sandbox/sms"  # the SMS gateway
    workorder_url: str = "http://127.0.0.1:8100/_sandbox/12345/workorders"  # 12345 hand-off; "" off
    upload_max_bytes: int = 10 * 1024 * 1024
    request_max_bytes: int = 12 * 1024 * 1024  # any request body, refused (413) before parsing
    upload_max_pixels: int = 25_000_000  # an image is decoded in full: ~75 MB at RGB
    upload_max_pages: int = 20
    upload_max_pdf_objects: int = 5_000
    upload_max_pdf_decoded_bytes: int = (
        64 * 1024 * 1024
    )  # every compressed stream of a PDF, expanded
    archive_path: Path | None = None  # the archive library's local directory (default var/archive)
    archive_url: str = ""  # s3://bucket for an S3-compatible library instead of the directory
    archive_s3_endpoint: str = ""  # e.g. http://minio:9000; AWS credentials from the environment
    seal_key_path: Path | None = None  # the electronic seal's SM2 key (default var/keys/seal.pem)
    heads_path: Path | None = (
        None  # signed log heads exported here (default var/heads); off-database, ideally WORM
    )
    clamav_database: Path | None = None  # e.g. /var/lib/clamav; unset: no virus scan at filing
    # S3 Object Lock (compliance mode) on every object of a package: years before it may go
    archive_retention_years: int = Field(default=30, ge=1, le=100)

    # operations (ruxue.ops): /metrics answers only these peers, and never a proxied request
    metrics_allow: list[IPvAnyNetwork] = Field(
        default_factory=lambda: [ip_network("127.0.0.1/32"), ip_network("::1/128")]
    )
    metrics_cache_s: float = Field(default=15.0, ge=0)  # the database's gauges, between scrapes
    otlp_endpoint: str = ""  # e.g. http://collector:4318/v1/traces; "" = no tracing

    idp_url: str = "http://127.0.0.1:8100/idp"
    oidc_client_id: str = "ruxue-web"
    oidc_client_secret: str = DEV_OIDC_CLIENT_SECRET
    # how the app authenticates at the token endpoint; private_key_jwt signs with the PEM key below
    oidc_client_auth: Literal["client_secret_basic", "client_secret_post", "private_key_jwt"] = (
        "client_secret_basic"
    )
    oidc_private_key_path: Path | None = None  # RSA key (PEM) for private_key_jwt
    oidc_scopes: str = "openid profile idcard phone"
    oidc_acr_values: str = "urn:jszwfw:loa:realname:sms"  # requested; the returned acr must be one
    oidc_claim_id_number: str = "id_number"
    oidc_claim_name: str = "name"
    oidc_claim_phone: str = "phone_number"
    oidc_leeway_s: int = Field(default=60, ge=0, le=300)  # clock skew allowed on exp and iat
    ca_bundle: Path | None = None  # an extra CA bundle (e.g. a government CA) for outgoing TLS
    # the spouse authorises by logging in themselves from an SMS link, or (sandbox only) by a code
    spouse_method: Literal["link", "code"] = "link"
    # the link goes only to the phone the identity platform verified for the spouse (its
    # person-phone API); "typed" for a provider without that API: the typed number, rate-limited
    spouse_phone_check: Literal["platform", "typed"] = "platform"
    kiosk_idle_seconds: int = Field(default=90, ge=5, le=900)  # a terminal wipes itself after this
    # while the terminal waits for the spouse, who opens the SMS link and logs in by SMS code
    kiosk_spouse_wait_seconds: int = Field(default=600, ge=60, le=1800)
    # a notice or 不予通过告知书 not yet made by its job this long after the decision (the worker
    # is down or far behind) is made by the download that asks for it; until then it answers 202
    notice_render_after_s: float = Field(default=60.0, ge=0, le=3600)

    exchange_url: str = "http://127.0.0.1:8100/exchange"
    exchange_client_id: str = "suzhou-ruxue-city"
    exchange_client_key: str = DEV_EXCHANGE_CLIENT_KEY
    exchange_provider_key: str = DEV_EXCHANGE_PROVIDER_KEY
    exchange_timeout_s: float = 3.0
    exchange_batch_timeout_s: float = 30.0  # a batch of many persons' look-ups (the precheck)
    exchange_attempts: int = 3
    exchange_backoff_s: float = 0.05
    breaker_failures: int = 5
    breaker_reset_s: float = 30.0
    call_log_chains: int = Field(default=1, ge=1, le=64)
    # PostgreSQL connections each web process keeps (plus half as many again in a burst)
    db_pool_size: int = Field(default=20, ge=1, le=200)

    # county mode: this instance reports its cases' stages to the city (its case-report API)
    upstream_url: str = ""  # e.g. https://city.example/ ; "" = this is the city (or standalone)
    upstream_client_id: str = ""
    upstream_client_secret: str = ""
    # the district a county system serves: a child of another district is sent to the city
    county_district: str = Field(default="", pattern=r"^(\d{6})?$")
    relay_batch: int = Field(default=100, ge=1, le=500)
    relay_max_attempts: int = Field(default=8, ge=1)
    relay_lease_s: float = 120.0  # a claimed batch is sent again after this (its relay died)
    relay_backoff_s: float = 2.0  # base of the exponential backoff (full jitter), capped at an hour
    backchannel_max_attempts: int = Field(default=10, ge=1)  # then a logout is a dead letter
    backchannel_backoff_s: float = 5.0  # base of the logout retries' backoff (full jitter)
    county_silence_minutes: int = 60  # the city flags a county that has not reported for this long

    pii_key: str = DEV_PII_KEY
    pii_key_id: str = Field(default="k1", pattern=KEY_ID)  # written before each ciphertext
    pii_old_keys: dict[str, str] = {}  # key id -> key of earlier PII keys, still read
    blind_index_key: str = DEV_BLIND_INDEX_KEY
    blind_index_key_id: str = Field(default="b1", pattern=KEY_ID)
    # key id -> key of earlier blind-index keys: lookups also try them until rotation is done
    blind_index_old_keys: dict[str, str] = {}
    file_key: str = DEV_FILE_KEY  # SM4 key of uploaded files at rest
    file_key_id: str = "dev-1"  # written before each file's ciphertext, so keys can rotate
    file_old_keys: dict[str, str] = {}  # key id -> key of earlier keys, still read
    # HMAC-SM3 key of the provider's pairwise subjects (OIDC Core §8.1): never rotated, or every
    # county sees new persons
    oidc_subject_key: str = DEV_OIDC_SUBJECT_KEY

    def unsafe_for_production(self) -> list[str]:
        """The settings (as environment variables) that still hold a development value, a weak key,
        an http address of a department, a fixed clock, or that a county system lacks."""
        unsafe = [name for name, dev in DEV_VALUES.items() if getattr(self, name) == dev]
        unsafe += [name for name in SECRETS if weak_key(getattr(self, name)) and name not in unsafe]
        unsafe += [name for name in ADDRESSES if _plain_http(getattr(self, name))]
        if self.now is not None:
            unsafe.append("now")  # a fixed clock: no idle timeout, the demo banner, stale windows
        if self.upstream_url and weak_key(self.upstream_client_secret):
            unsafe.append("upstream_client_secret")
        if self.upstream_url and not self.county_district:
            unsafe.append("county_district")  # a county serves its own district only
        return [f"RUXUE_{name.upper()}" for name in unsafe]

    def clock(self) -> dt.datetime:
        return fixed_or_wall(self.now)

    @property
    def upload_dir(self) -> Path:
        return self.var_dir / "uploads"

    @property
    def archive_dir(self) -> Path:
        return self.archive_path or self.var_dir / "archive"

    @property
    def heads_dir(self) -> Path:
        return self.heads_path or self.var_dir / "heads"

    @property
    def seal_key_file(self) -> Path:
        return self.seal_key_path or self.var_dir / "keys" / "seal.pem"

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.var_dir / 'ruxue.db'}"

    def resolved_queue_url(self) -> str:
        return self.queue_url or f"sqlite:///{self.var_dir / 'queue.db'}"


class UnsafeSettings(SystemExit):
    """Production mode with development keys or an http public URL: the process must not start."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            "生产模式下不能使用开发用密钥、http 地址或缺少必需设置，请设置："
            + "、".join(names)
            + f"\nrefusing to start in production mode; set: {', '.join(names)}"
            + "\n(the demo and the tests run with RUXUE_MODE=demo or RUXUE_MODE=test)"
        )
        self.names = names


def require_safe(settings: "Settings") -> None:
    """Refuse to start outside demo/test mode while any development value is configured."""
    if settings.mode == "production" and (names := settings.unsafe_for_production()):
        raise UnsafeSettings(names)


@lru_cache
def get_settings() -> Settings:
    return Settings()
