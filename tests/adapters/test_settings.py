"""Settings: the store follows the URL, and production refuses to start without its keys."""

from __future__ import annotations

import base64
import json
import re
import secrets
from pathlib import Path
from typing import Annotated

import pytest
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import resolve_topic
from joserfc.jwk import ECKey
from pydantic import Field, SecretStr, ValidationError

from adapters.bootstrap import bouw_applicatie, bouw_leesmodelopslag, bouw_logboek
from adapters.clock import SysteemKlok
from adapters.crypto import ProductieInstellingError, bsn_sleutel
from adapters.keten import OpslagVerbinding
from adapters.settings import VERPLICHT, Settings, markdown
from adapters.sleutelkluis import Sleutelkluis
from adapters.startcontrole import laad, productiebezwaren
from adapters.sqlverbinding import HULPVERBINDINGEN, Verbinding
from adapters.tokens import maak_ontwikkeltoken, verificatiesleutels


def instellingen(tmp_path: Path, **extra: object) -> Settings:
    return Settings(_env_file=None, data_map=tmp_path, **extra)  # type: ignore[call-arg]


def volledige_productie(tmp_path: Path) -> dict[str, object]:
    idp = ECKey.generate_key("P-256", parameters={"kid": "idp-2026"}).as_dict(private=False)
    sleutel = base64.b64encode(secrets.token_bytes(32)).decode()
    return {"data_map": tmp_path, "omgeving": "productie", "database_url": "postgresql://app@db/inburgering",
            "sleutel_database_url": "postgresql://app@sleutels/inburgering", "bsn_sleutel": secrets.token_hex(32),
            "hoofdsleutel": sleutel, "ondertekensleutel": sleutel, "jwks": json.dumps({"keys": [idp]}),
            "cloudevents_bron": "urn:nld:oin:00000001234567890000:systeem:inburgering", "publieke_url": "https://inburgering.sdd.nl"}


def test_sqlite_file_is_the_default_store(tmp_path: Path) -> None:
    env = instellingen(tmp_path).eventsourcing_env()
    assert (env["PERSISTENCE_MODULE"], env["SQLITE_DBNAME"]) == ("eventsourcing.sqlite", str(tmp_path / "inburgering.db"))


def test_a_postgresql_url_selects_postgresql(tmp_path: Path) -> None:
    env = instellingen(tmp_path, database_url="postgresql://app:ge%40heim@db.intern:6432/inburgering", database_schema="sdd").eventsourcing_env()
    assert issubclass(resolve_topic(env["PERSISTENCE_MODULE"]), PostgresFactory)  # the library's, with our pool
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("db.intern", "6432", "app", "ge@heim")
    assert (env["POSTGRES_DBNAME"], env["POSTGRES_SCHEMA"]) == ("inburgering", "sdd")


def test_one_number_says_how_long_a_write_waits_for_a_lock_on_every_store(tmp_path: Path) -> None:
    """The embedded store's files waited 5 s (the library's default) for the events and 10 s for the others: a
    request that needed both gave up on the one while the other still waited."""
    def wachttijd(verbinding: Verbinding) -> float:
        with verbinding.eenmalig() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            return int(cursor.fetchone()[0]) / 1000

    ingesteld = instellingen(tmp_path, database_lock_timeout=3)
    app = bouw_applicatie(ingesteld, SysteemKlok())
    logboek, leesmodellen = bouw_logboek(ingesteld, app, {}), bouw_leesmodelopslag(ingesteld)
    try:
        assert isinstance(app.sleutels, Sleutelkluis)
        verbindingen = [OpslagVerbinding(app.recorder), app.sleutels._verbinding, logboek._verbinding, leesmodellen._verbinding]
        assert [wachttijd(v) for v in verbindingen] == [3, 3, 3, 3]
    finally:
        leesmodellen.close()
        logboek.close()
        app.close()
    postgres = instellingen(tmp_path, database_url="postgresql://app@db/x", database_lock_timeout=3)
    assert postgres.eventsourcing_env()["POSTGRES_LOCK_TIMEOUT"] == "3"


def test_one_number_bounds_the_connections_of_a_process(tmp_path: Path) -> None:
    env = instellingen(tmp_path, database_url="postgresql://app@db/x", database_verbindingen=12).eventsourcing_env()
    assert (env["POSTGRES_POOL_SIZE"], env["POSTGRES_MAX_OVERFLOW"]) == ("0", str(12 - HULPVERBINDINGEN))
    with pytest.raises(ValidationError):  # the event store needs two of its own
        instellingen(tmp_path, database_verbindingen=HULPVERBINDINGEN + 1)


def test_only_postgresql_urls_are_accepted(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        instellingen(tmp_path, database_url="mysql://root@localhost/x")


def test_production_names_every_missing_setting_at_once(tmp_path: Path) -> None:
    with pytest.raises(ProductieInstellingError) as fout:
        laad(_env_file=None, data_map=tmp_path, omgeving="productie")
    # One message, every setting marked at its field: none is found only on the next start.
    for naam in ("DATABASE_URL", "SLEUTEL_DATABASE_URL", "BSN_SLEUTEL", "HOOFDSLEUTEL", "ONDERTEKENSLEUTEL",
                 "CLOUDEVENTS_BRON", "PUBLIEKE_URL", "JWKS of INBURGERING_JWKS_PAD of INBURGERING_JWKS_URL"):
        assert f"- INBURGERING_{naam}: " in str(fout.value)
    assert "Hoort te bevatten: Master key (32 bytes, base64)" in str(fout.value)  # what it holds: the field's description


def test_invalid_settings_are_named_together_with_the_missing_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INBURGERING_CORS_ORIGINS", "https://sdd.nl")  # not JSON: pydantic-settings alone would stop here
    with pytest.raises(ProductieInstellingError) as fout:
        laad(_env_file=None, data_map=tmp_path, omgeving="productie", hoofdsleutel="kort", database_url="mysql://x/y",
             bezorging_timeout=10, bezorging_lease_seconden=5, jwks_pad=tmp_path / "bestaat-niet.json")
    tekst = str(fout.value)
    assert "- INBURGERING_HOOFDSLEUTEL: ongeldig: moet 32 bytes zijn" in tekst
    assert "- INBURGERING_DATABASE_URL: ongeldig: moet een postgresql:// URL zijn" in tekst
    assert "- INBURGERING_BEZORGING_LEASE_SECONDEN: ongeldig: moet langer zijn dan INBURGERING_BEZORGING_TIMEOUT" in tekst
    assert "- INBURGERING_JWKS_PAD: ongeldig: geen leesbare JSON Web Key Set" in tekst
    assert "- INBURGERING_CORS_ORIGINS: ongeldig: geen JSON-lijst" in tekst
    assert "- INBURGERING_BSN_SLEUTEL: ontbreekt" in tekst and "- INBURGERING_ONDERTEKENSLEUTEL: ontbreekt" in tekst
    assert "INBURGERING_JWKS of" not in tekst  # the invalid JWKS_PAD is named once, not also as missing
    assert "kort" not in tekst  # never a secret's value


def test_development_needs_nothing_set_and_a_complete_production_passes(tmp_path: Path) -> None:
    assert laad(_env_file=None, data_map=tmp_path).omgeving == "ontwikkeling"
    assert laad(_env_file=None, **volledige_productie(tmp_path)).is_productie


def test_a_requirement_is_declared_at_its_field(tmp_path: Path) -> None:
    class MetNieuwVeld(Settings):
        archief_url: Annotated[str | None, VERPLICHT] = Field(default=None, description="Waar het archief staat")

    nieuw = MetNieuwVeld(_env_file=None, **volledige_productie(tmp_path))  # type: ignore[call-arg]
    assert not productiebezwaren(Settings(_env_file=None, **volledige_productie(tmp_path)))  # type: ignore[call-arg]
    assert productiebezwaren(nieuw) == {
        "INBURGERING_ARCHIEF_URL": "ontbreekt; verplicht in productie. Hoort te bevatten: Waar het archief staat"}


def test_the_keys_are_kept_apart_from_the_events_in_production(tmp_path: Path) -> None:
    zelfde = volledige_productie(tmp_path) | {"sleutel_database_url": "postgresql://app@db/inburgering"}
    with pytest.raises(ProductieInstellingError, match="INBURGERING_SLEUTEL_DATABASE_URL: is gelijk aan INBURGERING_DATABASE_URL"):
        laad(_env_file=None, **zelfde)


def test_production_refuses_a_development_key(tmp_path: Path) -> None:
    ontwikkeling = instellingen(tmp_path)
    maak_ontwikkeltoken(ontwikkeling, rol="duo", gemeenten=[])  # writes the local development key
    publiek = ECKey.import_key(json.loads(ontwikkeling.ontwikkelsleutel_pad.read_text())).as_dict(private=False)
    with pytest.raises(ProductieInstellingError, match="INBURGERING_JWKS: ongeldig: bevat een ontwikkelsleutel"):
        laad(_env_file=None, **volledige_productie(tmp_path) | {"jwks": json.dumps({"keys": [publiek]})})


def test_production_takes_the_idp_keys_and_makes_no_development_tokens(tmp_path: Path) -> None:
    idp = ECKey.generate_key("P-256", parameters={"kid": "idp-2026"}).as_dict(private=False)
    productie = instellingen(tmp_path, omgeving="productie", jwks=json.dumps({"keys": [idp]}))
    assert [k.kid for k in verificatiesleutels(productie)] == ["idp-2026"]
    with pytest.raises(ProductieInstellingError):
        maak_ontwikkeltoken(productie, rol="duo", gemeenten=[])
    with pytest.raises(ProductieInstellingError, match="INBURGERING_BSN_SLEUTEL"):  # the one check, not a generated key
        bsn_sleutel(productie)
    assert not (tmp_path / "bsn-sleutel").exists()


def test_production_refuses_the_embedded_sqlite_store(tmp_path: Path) -> None:
    productie = instellingen(tmp_path, omgeving="productie", bsn_sleutel=SecretStr("geheim"))
    with pytest.raises(ProductieInstellingError):
        bouw_applicatie(productie, SysteemKlok())


def test_development_keys_are_made_once_even_when_workers_start_together(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        sleutels = set(pool.map(lambda _: bsn_sleutel(instellingen(tmp_path)), range(16)))
    assert len(sleutels) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bsn-sleutel"]


def test_every_file_lies_in_the_data_map_unless_set_on_its_own(tmp_path: Path) -> None:
    eigen = instellingen(tmp_path, hoofdsleutel_pad=tmp_path / "elders" / "hoofdsleutel")
    bestanden = [eigen.sqlite_pad, eigen.sqlite_leesmodel_pad, eigen.sqlite_sleutel_pad,
                 eigen.ontwikkelsleutel_pad, eigen.bsn_sleutel_pad, eigen.ondertekensleutel_pad]
    assert {pad.parent for pad in bestanden} == {tmp_path} and len(set(bestanden)) == len(bestanden)
    assert eigen.hoofdsleutel_pad == tmp_path / "elders" / "hoofdsleutel"


def test_a_dispatchers_lease_must_outlast_one_delivery(tmp_path: Path) -> None:
    # A lease that lapses while a receiver is still answering would let a second dispatcher deliver at once.
    with pytest.raises(ValidationError, match="bezorging_lease_seconden\n.*moet langer zijn dan INBURGERING_BEZORGING_TIMEOUT"):
        instellingen(tmp_path, bezorging_timeout=10, bezorging_lease_seconden=10)
    assert instellingen(tmp_path, bezorging_timeout=10, bezorging_lease_seconden=11).bezorging_lease_seconden == 11


def test_the_readme_table_is_the_one_the_fields_declare() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    tabel = re.search(r"<!-- instellingen: [^\n]*-->\n(.*?)<!-- /instellingen -->", readme, re.S)
    assert tabel is not None, "README.md mist de gegenereerde instellingentabel"
    assert tabel.group(1) == markdown(), "README.md loopt achter: vervang de tabel door `python -m adapters.settings --markdown`"


def test_every_setting_says_what_it_holds() -> None:
    assert [veld for veld, info in Settings.model_fields.items() if not info.description] == []


def test_a_development_fallback_is_refused_in_production_even_when_nothing_is_missing(tmp_path: Path) -> None:
    # A complete production whose IdP keys come another way (a JWKS URL) still gets no key of ours.
    productie = Settings(_env_file=None, **volledige_productie(tmp_path) | {"jwks": None, "jwks_url": "https://idp/jwks"})  # type: ignore[call-arg]
    assert not productiebezwaren(productie)
    with pytest.raises(ProductieInstellingError, match="Een ontwikkelsleutel voor tokens bestaat niet in productie"):
        verificatiesleutels(productie)
    assert not productie.ontwikkelsleutel_pad.exists()


def test_production_takes_the_jwks_url_only_over_https(tmp_path: Path) -> None:
    # The keys that decide who may do what: named with the others in the one message, not at the first token.
    with pytest.raises(ProductieInstellingError) as fout:
        laad(_env_file=None, **volledige_productie(tmp_path) | {"jwks": None, "jwks_url": "http://idp.example.nl/jwks"})
    assert "- INBURGERING_JWKS_URL: ongeldig: moet in productie een https:// URL zijn." in str(fout.value)
    ontwikkeling = laad(_env_file=None, data_map=tmp_path, jwks_url="http://127.0.0.1:8080/jwks")
    assert ontwikkeling.jwks_url == "http://127.0.0.1:8080/jwks"
