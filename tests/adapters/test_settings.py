"""Settings: the store follows the URL, and production refuses to start without its keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import resolve_topic
from joserfc.jwk import ECKey
from pydantic import SecretStr, ValidationError

from adapters.bootstrap import bouw_applicatie
from adapters.clock import SysteemKlok
from adapters.crypto import ProductieInstellingError, bsn_sleutel
from adapters.settings import Settings
from adapters.sqlverbinding import HULPVERBINDINGEN
from adapters.tokens import maak_ontwikkeltoken, verificatiesleutels
from api.main import create_app


def instellingen(tmp_path: Path, **extra: object) -> Settings:
    return Settings(_env_file=None, data_map=tmp_path, **extra)  # type: ignore[call-arg]


def test_sqlite_file_is_the_default_store(tmp_path: Path) -> None:
    env = instellingen(tmp_path).eventsourcing_env()
    assert (env["PERSISTENCE_MODULE"], env["SQLITE_DBNAME"]) == ("eventsourcing.sqlite", str(tmp_path / "inburgering.db"))


def test_a_postgresql_url_selects_postgresql(tmp_path: Path) -> None:
    env = instellingen(tmp_path, database_url="postgresql://app:ge%40heim@db.intern:6432/inburgering", database_schema="sdd").eventsourcing_env()
    assert issubclass(resolve_topic(env["PERSISTENCE_MODULE"]), PostgresFactory)  # the library's, with our pool
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("db.intern", "6432", "app", "ge@heim")
    assert (env["POSTGRES_DBNAME"], env["POSTGRES_SCHEMA"]) == ("inburgering", "sdd")


def test_one_number_bounds_the_connections_of_a_process(tmp_path: Path) -> None:
    env = instellingen(tmp_path, database_url="postgresql://app@db/x", database_verbindingen=12).eventsourcing_env()
    assert (env["POSTGRES_POOL_SIZE"], env["POSTGRES_MAX_OVERFLOW"]) == ("0", str(12 - HULPVERBINDINGEN))
    with pytest.raises(ValidationError):  # the event store needs two of its own
        instellingen(tmp_path, database_verbindingen=HULPVERBINDINGEN + 1)


def test_only_postgresql_urls_are_accepted(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        instellingen(tmp_path, database_url="mysql://root@localhost/x")


def test_production_refuses_to_start_without_an_idp_key(tmp_path: Path) -> None:
    with pytest.raises(ProductieInstellingError):
        create_app(instellingen(tmp_path, omgeving="productie"))


def test_production_refuses_a_development_key(tmp_path: Path) -> None:
    ontwikkeling = instellingen(tmp_path)
    maak_ontwikkeltoken(ontwikkeling, rol="duo", gemeenten=[])  # writes the local development key
    publiek = ECKey.import_key(json.loads(ontwikkeling.ontwikkelsleutel_pad.read_text())).as_dict(private=False)
    with pytest.raises(ProductieInstellingError):
        verificatiesleutels(instellingen(tmp_path, omgeving="productie", jwks=json.dumps({"keys": [publiek]})))


def test_production_takes_the_idp_keys_and_makes_no_development_tokens(tmp_path: Path) -> None:
    idp = ECKey.generate_key("P-256", parameters={"kid": "idp-2026"}).as_dict(private=False)
    productie = instellingen(tmp_path, omgeving="productie", jwks=json.dumps({"keys": [idp]}))
    assert [k.kid for k in verificatiesleutels(productie)] == ["idp-2026"]
    with pytest.raises(ProductieInstellingError):
        maak_ontwikkeltoken(productie, rol="duo", gemeenten=[])
    with pytest.raises(ProductieInstellingError):
        bsn_sleutel(productie)


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
    with pytest.raises(ValidationError, match="BEZORGING_LEASE_SECONDEN"):
        instellingen(tmp_path, bezorging_timeout=10, bezorging_lease_seconden=10)
    assert instellingen(tmp_path, bezorging_timeout=10, bezorging_lease_seconden=11).bezorging_lease_seconden == 11
