"""All configuration in one pydantic-settings object, read from TICKETING_* variables.

Nested groups use a double underscore: TICKETING_AUTH__ACCESS_TOKEN_MINUTES=10.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class AuthSettings(BaseModel):
    # HS256 signing secret for access tokens. The demo generates one per data folder.
    jwt_secret: SecretStr = SecretStr("")
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # Seconds an API process reuses what it learnt about a bearer token (session, account,
    # roles). Changes through the same process apply at once; 0 reads them every request.
    principal_cache_seconds: float = Field(default=5.0, ge=0, le=60)


class RateLimitSettings(BaseModel):
    """Limits counted in PostgreSQL (fixed windows), so they hold across API processes.

    Logins: failed attempts are counted per account (the e-mail address typed) and per
    client address; a successful login is not counted. Public order routes (the buyer's
    order, tickets, QR codes and payment by the order's secret): refused requests (an
    unknown order or a wrong secret) are counted per client address; the others not, so
    buyers behind one router are never limited by opening their own orders."""

    enabled: bool = True
    window_seconds: int = Field(default=15 * 60, ge=1, le=24 * 3600)
    # Failed logins for one account per window; then that account's logins wait.
    login_per_account: int = Field(default=10, ge=1)
    # Failed logins from one client address per window (any accounts). Generous: many
    # clerks of one house share an address behind their router.
    login_per_address: int = Field(default=100, ge=1)
    public_window_seconds: int = Field(default=60, ge=1, le=24 * 3600)
    # Refused requests to the public order routes (unknown order or wrong secret) from one
    # address per public window; then the address waits for the window's end.
    public_failures_per_address: int = Field(default=30, ge=1)


class CelerySettings(BaseModel):
    # Empty: the broker is kombu's SQLAlchemy transport on the platform's own PostgreSQL,
    # so the demo runs a real worker without a Redis or RabbitMQ.
    broker_url: str = ""
    result_backend: str = ""
    # Database (on the platform's server) that holds the SQL broker's queues.
    broker_database: str = "podium_broker"
    always_eager: bool = False
    # Seconds between sweeps for outbox messages whose task was lost.
    outbox_sweep_seconds: float = 15.0
    # Seconds between sweeps for coalesced messages that have fallen due (UiTdatabank
    # availability: sold out waits at most this long).
    coalesced_sweep_seconds: float = 1.0
    # Seconds between releases of expired holds (availability ignores them at once anyway).
    hold_sweep_seconds: float = 30.0


class StripeSettings(BaseModel):
    secret_key: SecretStr = SecretStr("")  # sk_live_... / sk_test_...
    publishable_key: str = ""
    webhook_secret: SecretStr = SecretStr("")  # whsec_...
    # Empty: Stripe itself. Tests and the demo point this at localstripe on loopback.
    api_base: str = ""
    # localstripe speaks an older API: payment_method_types instead of
    # allowed_payment_method_types, and no Bancontact. Only for that test server.
    localstripe: bool = False
    payment_method_types: list[str] = ["card", "bancontact"]
    currency: str = "eur"
    # The shop's test-mode payment page instead of Stripe's Payment Element: the buyer
    # types one of Stripe's test card numbers and the platform confirms the PaymentIntent
    # on the configured Stripe-compatible server. Only with a test key (sk_test_...).
    test_payment_page: bool = False

    @model_validator(mode="after")
    def _test_page_with_a_test_key(self) -> StripeSettings:
        key = self.secret_key.get_secret_value()
        if self.test_payment_page and key and not key.startswith("sk_test_"):
            raise ValueError(
                "TICKETING_STRIPE__TEST_PAYMENT_PAGE takes a test key (sk_test_...): with a live "
                "key the shop would offer test cards and take no payment."
            )
        return self


class InventorySettings(BaseModel):
    # Seconds an API process reuses what it read of a performance on sale (status, sales
    # windows, seat map, selling house). Changes through the same process apply at once;
    # 0 reads them for every hold.
    sale_target_cache_seconds: float = Field(default=1.0, ge=0, le=10)
    # Seconds an API process reuses a public programme listing (the shop's and the
    # widget's): its "places left" lag that long. Changes to events and performances
    # through the same process apply at once; 0 reads the listing for every request.
    programme_cache_seconds: float = Field(default=1.0, ge=0, le=60)


class TicketSettings(BaseModel):
    # Required. Seals the houses' signing keys in the database (AES-GCM) and derives the
    # secrets of the buyers' ticket links. Keep it out of the database and its backups.
    secret_key: SecretStr = SecretStr("")
    # A ticket admits from this long before its performance starts until this long after
    # it ends (the window is signed into the QR code).
    valid_hours_before: float = Field(default=6.0, ge=0, le=48)
    valid_hours_after: float = Field(default=2.0, ge=0, le=48)
    # Mail with the tickets (empty host: tickets are issued but not mailed).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    mail_from: str = "Podium <tickets@podium.invalid>"


class UitdatabankSettings(BaseModel):
    # The Entry API and the token endpoint of publiq's test or production environment,
    # e.g. https://io-test.uitdatabank.be and https://account-test.uitid.be/oauth/token.
    # Empty api_url: nothing is published.
    api_url: str = ""
    token_url: str = ""
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    audience: str = "https://api.publiq.be"
    environment: str = "test"  # shown with the sync state: test or production
    # The place type (an `eventtype` term of publiq's taxonomy) of places the sync creates
    # for venues not linked to a place yet. Empty: such venues must be linked first.
    place_type_id: str = ""
    # The shop's page of an event, linked from UiTdatabank ({public_url} and {event_id}).
    shop_url: str = "{public_url}/shop/events/{event_id}"
    timeout_seconds: float = Field(default=10.0, gt=0)
    # A call answered 429 or 5xx, or timing out, is tried this many times in all within
    # one sync (3: the first and two more), waiting backoff_seconds * 2**n (with jitter) in
    # between; then the outbox retries later. A creation whose answer was lost is never
    # sent again (docs/uitdatabank.md).
    retries: int = Field(default=3, ge=0, le=10)
    backoff_seconds: float = Field(default=0.5, ge=0)
    # At most one availability update per performance this often (sold out and
    # cancellations go at once).
    availability_every_seconds: float = Field(default=5.0, ge=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TICKETING_", env_nested_delimiter="__", env_file=None, extra="ignore"
    )

    environment: str = "development"
    # postgresql://user:pass@host:port/db. Empty: a private PostgreSQL from pgserver.
    database_url: str = ""
    data_dir: Path = ROOT / ".data"
    database_pool_size: int = Field(default=10, ge=1)
    # HTTP requests one API process works on at once; the rest queue in arrival order.
    max_in_flight: int = Field(default=8, ge=1)
    public_url: str = "http://127.0.0.1:8000"
    auth: AuthSettings = AuthSettings()
    celery: CelerySettings = CelerySettings()
    inventory: InventorySettings = InventorySettings()
    stripe: StripeSettings = StripeSettings()
    tickets: TicketSettings = TicketSettings()
    uitdatabank: UitdatabankSettings = UitdatabankSettings()
    ratelimit: RateLimitSettings = RateLimitSettings()
    debug: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
