"""Settings from the environment (prefix INBURGERING_) and the eventsourcing env they imply."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.sqlverbinding import HULPVERBINDINGEN, BegrensdePostgresFactory

ROOT = Path(__file__).resolve().parent.parent
# The files the embedded set-up keeps, by setting: each lies in `data_map` unless set on its own.
BESTANDEN = {
    "sqlite_pad": "inburgering.db",
    "sqlite_leesmodel_pad": "leesmodellen.db",
    "sqlite_sleutel_pad": "sleutels.db",
    "ontwikkelsleutel_pad": "ontwikkelsleutel.jwk.json",
    "bsn_sleutel_pad": "bsn-sleutel",
    "hoofdsleutel_pad": "hoofdsleutel",
    "ondertekensleutel_pad": "ondertekensleutel",
}


class Settings(BaseSettings):
    """Everything an operator can set. Defaults give a working local development set-up."""

    model_config = SettingsConfigDict(env_prefix="INBURGERING_", extra="ignore")

    omgeving: Literal["ontwikkeling", "productie"] = "ontwikkeling"
    log_formaat: Literal["json", "tekst"] = Field(
        default="json",
        description="json: one JSON object per log line (the image); tekst: plain lines for people (make run sets it). "
        "Read from the environment by api/logopmaak.py, as uvicorn configures logging before the app starts",
    )
    database_url: str | None = Field(default=None, description="postgresql://user:pass@host:port/db")
    database_schema: str = "public"
    database_verbindingen: int = Field(
        default=10,
        ge=HULPVERBINDINGEN + 2,
        description=f"The most connections this process opens to the database: the event store's pool all but "
        f"{HULPVERBINDINGEN}, the other stores those {HULPVERBINDINGEN} together (adapters/sqlverbinding.py)",
    )
    database_lock_timeout: int = 10
    data_map: Path = Field(default=ROOT / "var", description="Where the embedded store, its key files and development keys live")
    sqlite_pad: Path = ROOT / "var" / "inburgering.db"  # in data_map
    sqlite_leesmodel_pad: Path = ROOT / "var" / "leesmodellen.db"  # in data_map
    maak_tabellen: bool = True
    projecties: Literal["ingebed", "extern"] = Field(
        default="ingebed",
        description="ingebed: the API brings the read models up to date before it reads them; extern: a projector process does",
    )
    projecties_stilstand_seconden: float = Field(
        default=300,
        ge=0,
        description="/health/ready fails when a read model stood still this long behind the log (extern: not advancing; "
        "ingebed: stopped at an event it cannot take); 0: never",
    )
    cloudevents_bron: str = Field(
        default="urn:nld:oin:00000000000000000000:systeem:inburgering",
        pattern=r"^urn:nld:",
        description="CloudEvents source: SDD's OIN and this system (NL GOV profile); set the real OIN in production",
    )
    cors_origins: list[str] = Field(
        default=[], description='Origins of the frontends that may call the API from a browser, as JSON: ["https://..."]'
    )
    max_verzoek_bytes: int = Field(default=1_048_576, ge=1024, description="The largest request body accepted")
    jwks: str | None = Field(default=None, description="JSON Web Key Set with the public keys of the IdP")
    jwks_pad: Path | None = None
    jwks_url: str | None = Field(
        default=None, pattern=r"^https?://",
        description="Where the IdP publishes its JSON Web Key Set, instead of INBURGERING_JWKS: fetched, cached per its "
        "Cache-Control max-age, fetched again for an unknown kid (README: 'Runbook: the IdP's keys (JWKS URL)'); "
        "production requires this (https://) or INBURGERING_JWKS / INBURGERING_JWKS_PAD",
    )
    jwks_cache_min_seconden: float = Field(
        default=60.0, ge=1, description="The shortest time a fetched key set is kept, whatever the IdP's max-age says; "
        "also the least time between two fetches for an unknown kid; not required"
    )
    jwks_cache_max_seconden: float = Field(
        default=86_400.0, ge=1, description="The longest time a fetched key set is kept before it is fetched again; not required"
    )
    jwt_issuer: str = "https://sso.drechtsteden.nl/inburgering"
    jwt_audience: str = "inburgering-api"
    ontwikkelsleutel_pad: Path = ROOT / "var" / "ontwikkelsleutel.jwk.json"  # in data_map
    bsn_sleutel: SecretStr | None = None
    bsn_sleutel_pad: Path = ROOT / "var" / "bsn-sleutel"  # in data_map
    hoofdsleutel: SecretStr | None = Field(
        default=None, description="Master key (32 bytes, base64) that wraps the data keys of personal data"
    )
    hoofdsleutel_pad: Path = ROOT / "var" / "hoofdsleutel"  # in data_map
    vorige_hoofdsleutels: SecretStr | None = Field(
        default=None,
        description="Earlier master keys (32 bytes, base64, comma-separated), only to unwrap what they wrapped until "
        "`make sleutels-roteer` has rewrapped it under INBURGERING_HOOFDSLEUTEL; not required, unset once rotated",
    )
    sleutel_database_url: str | None = Field(
        default=None, description="Where the data keys live, if not beside the events (postgresql://...)"
    )
    sqlite_sleutel_pad: Path = ROOT / "var" / "sleutels.db"  # in data_map
    ondertekensleutel: SecretStr | None = Field(
        default=None, description="Ed25519 private key (32 bytes, base64) that signs the checkpoints of the hash chains"
    )
    ondertekensleutel_pad: Path = ROOT / "var" / "ondertekensleutel"  # in data_map
    database_app_rol: str | None = Field(
        default=None, description="PostgreSQL role the API runs as; the migration grants it no UPDATE or DELETE on stored events"
    )
    sleutel_cache_seconden: float = Field(
        default=2.0, ge=0, description="How long a process keeps an unwrapped data key; a destroyed key is gone everywhere after this"
    )

    publieke_url: str = Field(
        default="http://localhost:8000", pattern=r"^https?://[^/?#]+$",
        description="The API's public origin (scheme and host), for the links in pushed facts (dataref, dataschema)",
    )
    vertrouwde_proxies: list[str] = Field(
        default=[],
        description='Addresses of the reverse proxies whose Forwarded and X-Forwarded-* headers count, as JSON '
        '["10.0.0.5", "10.1.0.0/16"]; empty: none, and every link names the host the request came to',
    )
    bezorging: Literal["ingebed", "extern"] = Field(
        default="ingebed",
        description="ingebed: the API process delivers to subscribers; extern: a dispatcher process does (make bezorging)",
    )
    bezorging_hosts: list[str] = Field(
        default=[],
        description='Hosts a callback URL may name, as JSON ["duo.example.nl", ".sdd.nl"] (a leading dot: any host under '
        "that domain); empty: any host. Set it in production: the API posts to what a subscriber names",
    )
    bezorging_timeout: float = Field(default=10.0, gt=0, le=60, description="Seconds a receiver has to acknowledge a delivery")
    bezorging_eerste_wachttijd: float = Field(default=1.0, gt=0, description="Seconds before the first retry; doubled each failure")
    bezorging_hoogste_wachttijd: float = Field(default=300.0, gt=0, description="The longest wait between retries, in seconds")
    bezorging_schorsen_na: int = Field(default=10, ge=1, description="Failures in a row after which a subscription is suspended")
    bezorging_lease_seconden: float = Field(
        default=60.0, gt=0, description="How long a dispatcher that died keeps its subscriptions from the others (> the timeout)"
    )

    @model_validator(mode="before")
    @classmethod
    def bestanden_in_de_data_map(cls, waarden: Any) -> Any:
        if isinstance(waarden, dict):
            data_map = Path(waarden.get("data_map") or ROOT / "var")
            for veld, naam in BESTANDEN.items():
                waarden.setdefault(veld, data_map / naam)
        return waarden

    @model_validator(mode="after")
    def lease_langer_dan_een_bezorging(self) -> Settings:
        # A dispatcher renews its lease after each acknowledged delivery: a shorter lease lets another take over mid-way.
        if self.bezorging_lease_seconden <= self.bezorging_timeout:
            raise ValueError("INBURGERING_BEZORGING_LEASE_SECONDEN moet langer zijn dan INBURGERING_BEZORGING_TIMEOUT")
        return self

    @field_validator("vertrouwde_proxies")
    @classmethod
    def ip_adressen_of_netwerken(cls, waarden: list[str]) -> list[str]:
        # Loud at start, where uvicorn's --forwarded-allow-ips takes a mistyped address silently as a name.
        try:
            return [str(ipaddress.ip_network(w.strip())) for w in waarden]
        except ValueError as fout:
            raise ValueError(f"INBURGERING_VERTROUWDE_PROXIES: {fout}") from None

    @field_validator("database_url", "sleutel_database_url")
    @classmethod
    def alleen_postgresql(cls, waarde: str | None) -> str | None:
        if waarde is not None and urlsplit(waarde).scheme not in ("postgresql", "postgres"):
            raise ValueError("INBURGERING_DATABASE_URL moet een postgresql:// URL zijn")
        return waarde

    @property
    def is_productie(self) -> bool:
        return self.omgeving == "productie"

    def eventsourcing_env(self) -> dict[str, str]:
        """The env for eventsourcing: PostgreSQL when a URL is set, else the SQLite file."""
        env = {"CREATE_TABLE": "y" if self.maak_tabellen else "n"}
        if self.database_url is None:
            self.sqlite_pad.parent.mkdir(parents=True, exist_ok=True)
            return env | {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(self.sqlite_pad)}
        url = urlsplit(self.database_url)
        return env | {
            "PERSISTENCE_MODULE": f"{BegrensdePostgresFactory.__module__}:{BegrensdePostgresFactory.__qualname__}",
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")),
            "POSTGRES_HOST": url.hostname or "localhost",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or ""),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_SCHEMA": self.database_schema,
            "POSTGRES_POOL_SIZE": "0",  # kept when idle: none; opened on demand (adapters/sqlverbinding.py)
            "POSTGRES_MAX_OVERFLOW": str(self.database_verbindingen - HULPVERBINDINGEN),
            "POSTGRES_LOCK_TIMEOUT": str(self.database_lock_timeout),
        }
