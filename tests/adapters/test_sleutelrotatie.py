"""Rotating the master key in the key store: rewrap in batches, resume, never bring a destroyed key back."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
from pydantic import SecretStr

from adapters.abonnementen import Abonnementen, Geheimen
from adapters.bootstrap import bouw_applicatie, bouw_sleutelkluis
from adapters.clock import SysteemKlok
from adapters.crypto import ProductieInstellingError, hoofdsleutel, hoofdsleutel_id, vorige_hoofdsleutels
from adapters.keten import OpslagVerbinding
from adapters.settings import Settings
from adapters.sleutelkluis import OnbekendeHoofdsleutelError, SleutelVernietigdError
from domain.abonnement import Abonnement, Abonnementstatus, Bezorgwijze
from domain.persoonsgegevens import KORT, LANG
from domain.waarden import Gemeente, Rol

HOUDERS = 7


def _nieuwe_sleutel() -> SecretStr:
    return SecretStr(base64.b64encode(secrets.token_bytes(32)).decode())


@pytest.fixture
def oud(instellingen: Settings) -> Settings:
    return instellingen.model_copy(update={"hoofdsleutel": _nieuwe_sleutel(), "sleutel_cache_seconden": 0})


@pytest.fixture
def nieuw(oud: Settings) -> Settings:
    """The new master key current, the old one beside it for unwrapping only."""
    return oud.model_copy(update={"hoofdsleutel": _nieuwe_sleutel(), "vorige_hoofdsleutels": oud.hoofdsleutel})


@pytest.fixture
def alleen_nieuw(nieuw: Settings) -> Settings:
    return nieuw.model_copy(update={"vorige_hoofdsleutels": None})


@pytest.fixture
def sleutels(oud: Settings) -> Iterator[dict[str, bytes | None]]:
    """Keys of HOUDERS holders, two classes each, wrapped by the old master key; the first holder forgotten."""
    kluis = bouw_sleutelkluis(oud)
    houders = [uuid.uuid4() for _ in range(HOUDERS)]
    gemaakt: dict[str, bytes | None] = {}
    for houder in houders:
        for klasse in (KORT, LANG):
            sleutel_id, sleutel = kluis.actieve_sleutel(houder, klasse)
            gemaakt[sleutel_id] = sleutel
    kluis.vernietig(houders[0], [KORT, LANG])
    for sleutel_id in list(gemaakt):
        gemaakt[sleutel_id] = kluis.sleutel(sleutel_id)
    kluis.close()
    yield gemaakt


def _lees_alle(instellingen: Settings, sleutel_ids: list[str]) -> dict[str, bytes | None]:
    kluis = bouw_sleutelkluis(instellingen)
    try:
        return {sleutel_id: kluis.sleutel(sleutel_id) for sleutel_id in sleutel_ids}
    finally:
        kluis.close()


def test_after_a_rotation_the_new_master_key_alone_opens_every_key_and_the_forgotten_stay_forgotten(
    sleutels: dict[str, bytes | None], nieuw: Settings, alleen_nieuw: Settings
) -> None:
    # Before: the new key alone cannot open what the old one wrapped, and says which setting is missing.
    with pytest.raises(OnbekendeHoofdsleutelError, match="INBURGERING_VORIGE_HOOFDSLEUTELS"):
        _lees_alle(alleen_nieuw, [i for i, s in sleutels.items() if s is not None])
    kluis = bouw_sleutelkluis(nieuw)
    assert kluis.te_roteren() == 2 * (HOUDERS - 1)
    assert kluis.roteer(per_keer=3) == (2 * (HOUDERS - 1), 0)
    assert kluis.te_roteren() == 0
    assert kluis.per_hoofdsleutel() == {hoofdsleutel_id(hoofdsleutel(nieuw)): 2 * (HOUDERS - 1)}
    kluis.close()
    # After: the same bytes with the new key alone; the destroyed two are still destroyed.
    assert _lees_alle(alleen_nieuw, list(sleutels)) == sleutels
    assert sum(s is None for s in sleutels.values()) == 2


def test_a_stopped_rotation_resumes_where_it_was_and_a_finished_one_changes_nothing(
    sleutels: dict[str, bytes | None], nieuw: Settings, alleen_nieuw: Settings
) -> None:
    class Gestopt(Exception):
        pass

    def stop(herverpakt: int, over: int) -> None:
        raise Gestopt  # as a kill after the first batch committed

    kluis = bouw_sleutelkluis(nieuw)
    with pytest.raises(Gestopt):
        kluis.roteer(per_keer=4, meld=stop)
    assert kluis.te_roteren() == 2 * (HOUDERS - 1) - 4
    assert kluis.roteer(per_keer=4) == (2 * (HOUDERS - 1) - 4, 0)
    assert kluis.roteer(per_keer=4) == (0, 0)
    kluis.close()
    assert _lees_alle(alleen_nieuw, list(sleutels)) == sleutels


def test_a_holder_forgotten_while_the_rotation_runs_stays_forgotten_and_gets_no_new_key(
    sleutels: dict[str, bytes | None], nieuw: Settings, alleen_nieuw: Settings
) -> None:
    kluis = bouw_sleutelkluis(nieuw)
    with kluis._verbinding.eenmalig() as cursor:  # the holder of the last keys in the rotation's order
        cursor.execute(kluis._verbinding.sql("SELECT houder FROM {s}inburgering_sleutels WHERE gewikkeld IS NOT NULL ORDER BY sleutel_id DESC LIMIT 1"))
        laatste = UUID(cursor.fetchone()[0])
    with kluis._verbinding.eenmalig() as cursor:
        cursor.execute(kluis._verbinding.sql("SELECT sleutel_id FROM {s}inburgering_sleutels WHERE houder = %s"), (str(laatste),))
        van_laatste = {rij[0] for rij in cursor.fetchall()}
    vergeten: list[int] = []

    def vergeet_onderweg(herverpakt: int, over: int) -> None:
        if not vergeten:
            kluis.vernietig(laatste, [KORT, LANG])
            vergeten.append(herverpakt)

    herverpakt, _ = kluis.roteer(per_keer=2, meld=vergeet_onderweg)
    assert vergeten == [2] and herverpakt <= 2 * (HOUDERS - 1) - 1
    assert kluis.te_roteren() == 0
    with pytest.raises(SleutelVernietigdError):
        kluis.actieve_sleutel(laatste, KORT)  # not made anew
    kluis.close()
    assert _lees_alle(alleen_nieuw, list(sleutels)) == sleutels | dict.fromkeys(van_laatste)


def test_a_key_table_from_before_rotation_gains_the_column_and_its_keys_are_opened_and_rotated(
    sleutels: dict[str, bytes | None], oud: Settings, nieuw: Settings, alleen_nieuw: Settings
) -> None:
    kluis = bouw_sleutelkluis(oud)
    with kluis._verbinding.transactie() as cursor:  # the table as it was before rotation existed
        cursor.execute(kluis._verbinding.sql("ALTER TABLE {s}inburgering_sleutels DROP COLUMN hoofdsleutel_id"))
    kluis.close()
    kluis = bouw_sleutelkluis(oud)  # its start adds the column back, empty
    assert kluis.per_hoofdsleutel() == {"?": 2 * (HOUDERS - 1)}
    kluis.close()
    assert _lees_alle(nieuw, list(sleutels)) == sleutels
    kluis = bouw_sleutelkluis(nieuw)
    assert kluis.roteer()[0] == 2 * (HOUDERS - 1)
    kluis.close()
    assert _lees_alle(alleen_nieuw, list(sleutels)) == sleutels


def test_rotation_rewraps_the_secrets_of_subscriptions(oud: Settings, nieuw: Settings) -> None:
    app = bouw_applicatie(oud, SysteemKlok())
    try:
        verbinding = OpslagVerbinding(app.recorder)
        voor = Abonnementen(verbinding, hoofdsleutel(oud))
        voor.maak_tabellen()
        met, zonder = _abonnement(), _abonnement()
        voor.neem_op(met, Geheimen("Bearer duo-123", "whsec_een"))
        voor.neem_op(zonder, Geheimen(None, "whsec_twee"))
        # Then: the current key reads them while the old one is given, rewraps three, and reads them alone after.
        tijdens = Abonnementen(verbinding, hoofdsleutel(nieuw), vorige_hoofdsleutels(nieuw))
        assert tijdens.geheimen(met.id) == Geheimen("Bearer duo-123", "whsec_een")
        assert tijdens.roteer() == 3
        assert tijdens.roteer() == 0
        na = Abonnementen(verbinding, hoofdsleutel(nieuw))
        assert na.geheimen(met.id) == Geheimen("Bearer duo-123", "whsec_een")
        assert na.geheimen(zonder.id) == Geheimen(None, "whsec_twee")
    finally:
        app.close()


def _abonnement() -> Abonnement:
    nu = datetime(2026, 6, 1, tzinfo=UTC)
    return Abonnement(
        id=uuid.uuid4(), eigenaar="duo", rol=Rol.DUO, gemeenten=frozenset({Gemeente.DORDRECHT}), callback="https://duo.example.nl/h",
        gebeurtenistypen=None, gemeentefilter=None, bezorgwijze=Bezorgwijze.GESTRUCTUREERD, versie=1,
        status=Abonnementstatus.ACTIEF, positie=0, mislukte_pogingen=0, laatste_succes=None, laatste_fout=None,
        laatste_fout_op=None, volgende_poging=None, aangemaakt=nu, gewijzigd=nu, met_autorisatie=False,
    )


def test_an_earlier_master_key_must_be_32_bytes_each(nieuw: Settings) -> None:
    assert nieuw.hoofdsleutel is not None and nieuw.vorige_hoofdsleutels is not None
    twee = SecretStr(f"{nieuw.vorige_hoofdsleutels.get_secret_value()}, {_nieuwe_sleutel().get_secret_value()}")
    assert len(vorige_hoofdsleutels(nieuw.model_copy(update={"vorige_hoofdsleutels": twee}))) == 2
    with pytest.raises(ProductieInstellingError, match="INBURGERING_VORIGE_HOOFDSLEUTELS"):
        vorige_hoofdsleutels(nieuw.model_copy(update={"vorige_hoofdsleutels": SecretStr("a29ydA==")}))


def test_a_key_destroyed_between_reading_and_rewrapping_it_is_not_written_back(
    sleutels: dict[str, bytes | None], nieuw: Settings, alleen_nieuw: Settings
) -> None:
    kluis = bouw_sleutelkluis(nieuw)
    rijen = kluis._te_herverpakken("", 2 * HOUDERS)  # what the rotation read ...
    houder = UUID(rijen[0][1])
    kluis.vernietig(houder, [KORT, LANG])  # ... before a concurrent forget committed
    assert kluis._herverpak(rijen) == len(rijen) - 2
    with pytest.raises(SleutelVernietigdError):
        kluis.actieve_sleutel(houder, LANG)
    assert kluis.roteer() == (0, 0)
    kluis.close()
    vernietigd = {str(rij[0]) for rij in rijen if UUID(rij[1]) == houder}
    assert _lees_alle(alleen_nieuw, list(sleutels)) == sleutels | dict.fromkeys(vernietigd)

