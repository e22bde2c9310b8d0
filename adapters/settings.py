"""Settings from the environment (prefix INBURGERING_), what production requires of each (`Productie`), and the
eventsourcing env they imply. `python -m adapters.settings --markdown` prints the README's table of them."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_origin
from urllib.parse import unquote, urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.sqlverbinding import HULPVERBINDINGEN, SQLITE_WACHTTIJD, BegrensdePostgresFactory

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
ONTWIKKEL_KID_PREFIX = "ontwikkeling-"  # the kid of a development signing key (adapters/tokens.py)


def base64_32_bytes(tekst: str) -> bytes:
    """A 32-byte key written as base64 (the master and signing keys)."""
    try:
        sleutel = base64.b64decode(tekst, validate=True)
    except binascii.Error:
        sleutel = b""
    if len(sleutel) != 32:
        raise ValueError("moet 32 bytes zijn, base64-gecodeerd")
    return sleutel


@dataclass(frozen=True)
class Productie:
    """At a field: production requires this setting, set and not left at its development default (a development
    default names a local file or a placeholder). `groep`: one setting of the group suffices; `niet_gelijk_aan`: a
    setting it must not share its value with."""

    groep: str | None = None
    niet_gelijk_aan: str | None = None


VERPLICHT = Productie()
JWKS = Productie(groep="de sleutels van de identity provider")


class Settings(BaseSettings):
    """Everything an operator can set. Defaults give a working local development set-up; a field marked
    `Productie` must be set in production (adapters/startcontrole.py checks them all at once)."""

    # Lists are decoded by the validator below, not by pydantic-settings: a malformed one is then an error of its
    # field, named with the others, where pydantic-settings stops at the first with an error of its own.
    model_config = SettingsConfigDict(env_prefix="INBURGERING_", extra="ignore", enable_decoding=False)

    omgeving: Literal["ontwikkeling", "productie"] = Field(
        default="ontwikkeling",
        description="`productie` checks at start that every setting marked required is set (all at once, one message), "
        "refuses development keys and serves no docs pages",
    )
    log_formaat: Literal["json", "tekst"] = Field(
        default="json",
        description="`json`: one JSON object per log line on stdout/stderr (the image); `tekst`: plain lines for people "
        "(`make run` sets it). Read from the environment by adapters/logopmaak.py, as uvicorn configures logging before the "
        "app reads its settings (README: *The server's log*)",
    )
    database_url: Annotated[str | None, VERPLICHT] = Field(
        default=None, description="The event store: `postgresql://user:pass@host:port/db`; unset means the SQLite file"
    )
    database_schema: str = Field(default="public", description="PostgreSQL schema of every table")
    database_verbindingen: int = Field(
        default=10,
        ge=HULPVERBINDINGEN + 2,
        description=f"The most connections one process opens to the database: the event store all but {HULPVERBINDINGEN}, "
        f"the other stores those {HULPVERBINDINGEN} together (and {HULPVERBINDINGEN} more on `SLEUTEL_DATABASE_URL`); "
        "opened on demand, closed after a minute idle, each named `inburgering/<pid>` in `pg_stat_activity`. An API "
        "process keeps one for as long as it runs: the feed's LISTEN connection (`wacht=`)",
    )
    commandos_tegelijk: int = Field(
        default=4,
        ge=1,
        le=64,
        description="How many commands one API process carries out at once; the next waits its turn without holding a "
        "thread. Commands commit one at a time (the events table's lock) and one interpreter runs one thread at a time, so "
        "more only hand the interpreter back and forth (README: Benchmarks); reads are not counted",
    )
    database_lock_timeout: int = Field(
        default=SQLITE_WACHTTIJD, ge=1,
        description="Seconds a write waits for a lock: the events table's on PostgreSQL, a file's on SQLite; then 503",
    )
    data_map: Path = Field(
        default=ROOT / "var",
        description="Where the embedded store, its key store, logs and checkpoints, and the development keys live; "
        "each file can also be set on its own (the `*_PAD` settings)",
    )
    sqlite_pad: Path = Field(default=ROOT / "var" / "inburgering.db", description="The embedded event store (SQLite)")
    sqlite_leesmodel_pad: Path = Field(
        default=ROOT / "var" / "leesmodellen.db",
        description="The read models next to the embedded store (PostgreSQL: tables in the same schema)",
    )
    maak_tabellen: bool = Field(
        default=True, description="Create tables at start; `false` in production workers (run `migreer` once instead)"
    )
    projecties: Literal["ingebed", "extern"] = Field(
        default="ingebed",
        description="`ingebed`: the API brings the read models up to date before it answers a read (read-your-writes); "
        "`extern`: a projector process does (`make projecties`)",
    )
    projecties_stilstand_seconden: float = Field(
        default=300,
        ge=0,
        description="`/health/ready` fails when a read model stood still this long behind the log (`extern`: not "
        "advancing; `ingebed`: stopped at an event it cannot take); 0: never",
    )
    cloudevents_bron: Annotated[str, VERPLICHT] = Field(
        default="urn:nld:oin:00000000000000000000:systeem:inburgering",
        pattern=r"^urn:nld:",
        description="`source` of the feed's CloudEvents: SDD's OIN and this system (NL GOV profile), "
        "`urn:nld:oin:<OIN>:systeem:inburgering`",
    )
    cors_origins: list[str] = Field(
        default=[], description='JSON list of the frontend origins that may call the API from a browser: `["https://..."]`'
    )
    max_verzoek_bytes: int = Field(
        default=1_048_576, ge=1024, description="Larger request bodies are refused with 413 before a route sees them"
    )
    jwks: Annotated[str | None, JWKS] = Field(
        default=None, description="The identity provider's public keys as a JSON Web Key Set (JSON text)"
    )
    jwks_pad: Annotated[Path | None, JWKS] = Field(
        default=None, description="A file with the identity provider's JSON Web Key Set (instead of `JWKS`)"
    )
    jwks_url: Annotated[str | None, JWKS] = Field(
        default=None, pattern=r"^https?://",
        description="Where the identity provider publishes its JSON Web Key Set (`https://` in production), instead of "
        "`JWKS`: fetched, kept per its Cache-Control max-age, fetched again for an unknown kid "
        "([runbook](#runbook-the-idps-keys-jwks-url))",
    )
    jwks_cache_min_seconden: float = Field(
        default=60.0, ge=1,
        description="The shortest time a fetched key set is kept, whatever the IdP's max-age says; also the least time "
        "between two fetches for an unknown kid",
    )
    jwks_cache_max_seconden: float = Field(
        default=86_400.0, ge=1, description="The longest time a fetched key set is kept before it is fetched again"
    )
    jwt_issuer: str = Field(default="https://sso.drechtsteden.nl/inburgering", description="`iss` every token must carry")
    jwt_audience: str = Field(default="inburgering-api", description="`aud` every token must carry")
    ontwikkelsleutel_pad: Path = Field(
        default=ROOT / "var" / "ontwikkelsleutel.jwk.json", description="Development only: the key that signs local tokens"
    )
    bsn_sleutel: Annotated[SecretStr | None, VERPLICHT] = Field(
        default=None, description="Secret for the keyed BSN pseudonym (any long random text, e.g. 64 hex characters)"
    )
    bsn_sleutel_pad: Path = Field(default=ROOT / "var" / "bsn-sleutel", description="Development only: the generated BSN key")
    hoofdsleutel: Annotated[SecretStr | None, VERPLICHT] = Field(
        default=None, description="Master key (32 bytes, base64) that wraps every data key of personal data"
    )
    hoofdsleutel_pad: Path = Field(default=ROOT / "var" / "hoofdsleutel", description="Development only: the generated master key")
    vorige_hoofdsleutels: SecretStr | None = Field(
        default=None,
        description="Earlier master keys (32 bytes, base64, comma-separated), only to unwrap what they wrapped until "
        "`make sleutels-roteer` has rewrapped it under `HOOFDSLEUTEL` ([runbook](#runbook-rotating-the-master-key)); "
        "unset once rotated",
    )
    sleutel_database_url: Annotated[str | None, Productie(niet_gelijk_aan="database_url")] = Field(
        default=None,
        description="Where the data keys and the person register live (`postgresql://...`), apart from the events so "
        "that a restored backup of the events brings no destroyed key back; unset: beside the events",
    )
    sqlite_sleutel_pad: Path = Field(
        default=ROOT / "var" / "sleutels.db", description="The embedded key store and person register (SQLite)"
    )
    ondertekensleutel: Annotated[SecretStr | None, VERPLICHT] = Field(
        default=None, description="Ed25519 private key (32 bytes, base64) that signs the checkpoints of the hash chains"
    )
    ondertekensleutel_pad: Path = Field(
        default=ROOT / "var" / "ondertekensleutel", description="Development only: the generated signing key"
    )
    database_app_rol: str | None = Field(
        default=None, description="PostgreSQL role the API runs as; the migration grants it no UPDATE or DELETE on stored events"
    )
    sleutel_cache_seconden: float = Field(
        default=2.0, ge=0,
        description="How long a process keeps an unwrapped data key: a key destroyed by another process is unusable "
        "here at most this long after",
    )

    publieke_url: Annotated[str, VERPLICHT] = Field(
        default="http://localhost:8000", pattern=r"^https?://[^/?#]+$",
        description="The API's public origin (scheme and host), for the links in pushed facts (`dataref`, `dataschema`)",
    )
    vertrouwde_proxies: list[str] = Field(
        default=[],
        description='JSON list of the reverse proxies\' addresses or networks (`["10.0.0.5", "10.1.0.0/16"]`) whose '
        "`Forwarded` and `X-Forwarded-*` headers count, so that every absolute URL names the public host; empty trusts none",
    )
    bezorging: Literal["ingebed", "extern"] = Field(
        default="ingebed",
        description="`ingebed`: the API process delivers to subscribers; `extern`: a dispatcher process does (`make bezorging`)",
    )
    bezorging_hosts: list[str] = Field(
        default=[],
        description='JSON list of the hosts a callback URL may name (`".sdd.nl"`: any host under that domain); empty '
        "allows any. Set it in production, so that a subscriber cannot make the API post into SDD's own network",
    )
    bezorging_timeout: float = Field(default=10.0, gt=0, le=60, description="Seconds a receiver has to acknowledge a delivery")
    bezorging_eerste_wachttijd: float = Field(default=1.0, gt=0, description="Seconds before the first retry; doubled each failure")
    bezorging_hoogste_wachttijd: float = Field(default=300.0, gt=0, description="The longest wait between retries, in seconds")
    bezorging_schorsen_na: int = Field(default=10, ge=1, description="Failures in a row after which a subscription is suspended")
    bezorging_lease_seconden: float = Field(
        default=60.0, gt=0,
        description="How long a dispatcher that died keeps its subscriptions from the others (longer than the timeout)",
    )

    @field_validator("*", mode="before")
    @classmethod
    def json_uit_de_omgeving(cls, waarde: Any, info: ValidationInfo) -> Any:
        if isinstance(waarde, str) and info.field_name and get_origin(cls.model_fields[info.field_name].annotation) is list:
            try:
                return json.loads(waarde)
            except json.JSONDecodeError as fout:
                raise ValueError(f"geen JSON-lijst ({fout})") from None
        return waarde

    @model_validator(mode="before")
    @classmethod
    def bestanden_in_de_data_map(cls, waarden: Any) -> Any:
        if isinstance(waarden, dict):
            data_map = Path(waarden.get("data_map") or ROOT / "var")
            for veld, naam in BESTANDEN.items():
                waarden.setdefault(veld, data_map / naam)
        return waarden

    @field_validator("bezorging_lease_seconden")
    @classmethod
    def lease_langer_dan_een_bezorging(cls, lease: float, info: ValidationInfo) -> float:
        # A dispatcher renews its lease after each acknowledged delivery: a shorter lease lets another take over mid-way.
        if lease <= info.data.get("bezorging_timeout", 0):
            raise ValueError("moet langer zijn dan INBURGERING_BEZORGING_TIMEOUT")
        return lease

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
            raise ValueError("moet een postgresql:// URL zijn")
        return waarde

    @field_validator("hoofdsleutel", "ondertekensleutel")
    @classmethod
    def sleutel_van_32_bytes(cls, waarde: SecretStr | None) -> SecretStr | None:
        if waarde is not None:
            base64_32_bytes(waarde.get_secret_value())
        return waarde

    @field_validator("vorige_hoofdsleutels")
    @classmethod
    def elk_van_32_bytes(cls, waarde: SecretStr | None) -> SecretStr | None:
        if waarde is not None:
            for deel in filter(None, (d.strip() for d in waarde.get_secret_value().split(","))):
                base64_32_bytes(deel)
        return waarde

    @field_validator("jwks", "jwks_pad")
    @classmethod
    def sleutelset_van_de_idp(cls, waarde: str | Path | None, info: ValidationInfo) -> str | Path | None:
        if waarde is None:
            return None
        try:
            tekst = waarde.read_text() if isinstance(waarde, Path) else waarde
            sleutels = KeySet.import_key_set(json.loads(tekst))
        except (OSError, ValueError, TypeError, JoseError) as fout:
            raise ValueError(f"geen leesbare JSON Web Key Set ({type(fout).__name__}: {fout})") from None
        if info.data.get("omgeving") == "productie" and any(str(k.kid or "").startswith(ONTWIKKEL_KID_PREFIX) for k in sleutels):
            raise ValueError("bevat een ontwikkelsleutel; die is niet toegestaan in productie")
        return waarde

    @field_validator("jwks_url")
    @classmethod
    def https_in_productie(cls, waarde: str | None, info: ValidationInfo) -> str | None:
        # The keys that decide who may do what: never over plain HTTP outside a developer's machine.
        if waarde is not None and info.data.get("omgeving") == "productie" and not waarde.startswith("https://"):
            raise ValueError("moet in productie een https:// URL zijn")
        return waarde

    @property
    def is_productie(self) -> bool:
        return self.omgeving == "productie"

    def eventsourcing_env(self) -> dict[str, str]:
        """The env for eventsourcing: PostgreSQL when a URL is set, else the SQLite file."""
        env = {"CREATE_TABLE": "y" if self.maak_tabellen else "n"}
        if self.database_url is None:
            self.sqlite_pad.parent.mkdir(parents=True, exist_ok=True)
            return env | {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(self.sqlite_pad),
                          "SQLITE_LOCK_TIMEOUT": str(self.database_lock_timeout)}
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


def omgevingsnaam(veld: str) -> str:
    return f"{Settings.model_config.get('env_prefix', '')}{veld.upper()}"


def productie_eis(info: FieldInfo) -> Productie | None:
    return next((m for m in info.metadata if isinstance(m, Productie)), None)


def _standaard(veld: str) -> str:
    waarde = Settings.model_fields[veld].default
    if veld in BESTANDEN:
        return f"`DATA_MAP/{BESTANDEN[veld]}`"
    if isinstance(waarde, Path):
        return f"`./{waarde.relative_to(ROOT)}`"
    if waarde is None:
        return "unset"
    if isinstance(waarde, bool):
        return f"`{str(waarde).lower()}`"
    return f"`{json.dumps(waarde) if isinstance(waarde, list) else waarde}`"


def _in_productie(veld: str) -> str:
    eis = productie_eis(Settings.model_fields[veld])
    if eis is None:
        return ""
    if eis.groep is not None:
        anderen = [f"`{v.upper()}`" for v in Settings.model_fields if v != veld and productie_eis(Settings.model_fields[v]) == eis]
        return f"required (or {' or '.join(anderen)})"
    if eis.niet_gelijk_aan is not None:
        return f"required, not `{eis.niet_gelijk_aan.upper()}`"
    return "required" if Settings.model_fields[veld].default is None else "required, not this default"


def markdown() -> str:
    """The README's settings table, from the fields themselves (tests/adapters/test_settings.py checks it)."""
    regels = ["| setting | default | production | meaning |", "|---|---|---|---|"]
    for veld, info in Settings.model_fields.items():
        betekenis = (info.description or "").replace("|", "\\|")
        regels.append(f"| `{veld.upper()}` | {_standaard(veld)} | {_in_productie(veld)} | {betekenis} |")
    return "\n".join(regels) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        raise SystemExit("gebruik: python -m adapters.settings --markdown  (de tabel van README.md, \"Settings\")")
    print(markdown(), end="")
