"""Which recorded fields are personal data, and the rules for removing them (Bi 9.9)."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date

import pytest

from domain import fouten
from domain.metadata import Metadata
from domain.persoon import Persoonsregistratie
from domain.persoonsgegevens import GEZONDHEID, KORT, LANG, VERWIJDERD, GrondVerwijdering
from domain.traject import Inburgeringstraject
from domain.traject.basis import Gebeurtenis, Status
from domain.velden import persoonsvelden
from domain.waarden import Gemeente
from tests.builders import door, statushouder_met_pip

FEITEN = [
    soort for soort in vars(Inburgeringstraject).values()
    if isinstance(soort, type) and issubclass(soort, Gebeurtenis | Inburgeringstraject.Created)
] + [Persoonsregistratie.TrajectGekoppeld, Persoonsregistratie.TrajectAfgesloten]
VRIJE_TEKST = {"verslag", "toelichting", "motivering", "uitzonderlijk_geval_motivering", "samenvatting", "rapport", "reden", "ondersteuning"}


def _velden(soort: type) -> dict[str, object]:
    return {veld.name: veld.type for veld in dataclasses.fields(soort)}


@pytest.mark.parametrize("soort", FEITEN, ids=lambda s: s.__qualname__)
def test_every_declared_personal_field_exists_and_free_text_is_always_personal(soort: type) -> None:
    velden = _velden(soort)
    for pad in persoonsvelden(soort):
        veld, _, sleutel = pad.partition(".")
        assert veld in velden, f"{soort.__qualname__} heeft geen veld {veld}"
        assert not sleutel or "dict" in str(velden[veld]) or (veld == "metadata" and sleutel in Metadata.__dataclass_fields__)
    # Free text about a person may say anything: it is never stored readable. Codes (a boetegrond) are.
    vrij = {veld for veld in velden if veld in VRIJE_TEKST and "str" in str(velden[veld])}
    if soort is not Inburgeringstraject.LeerrouteGewijzigd:
        assert vrij <= set(persoonsvelden(soort)), vrij - set(persoonsvelden(soort))
    else:
        assert set(persoonsvelden(soort)) == {"toelichting", "metadata.toelichting"}  # its reden is a RedenRoutewijziging code


def test_a_correction_of_a_personal_field_is_as_personal_as_the_field() -> None:
    gecorrigeerd = persoonsvelden(Inburgeringstraject.FeitGecorrigeerd)
    for soort in FEITEN:
        for veld in set(getattr(soort, "CORRIGEERBAAR", {})) & set(persoonsvelden(soort)):
            assert gecorrigeerd.get(f"correcties.{veld}") == persoonsvelden(soort)[veld], (soort.__qualname__, veld)


def test_the_bsn_is_long_term_and_health_fields_have_their_own_class() -> None:
    assert persoonsvelden(Inburgeringstraject.Created) == {"bsn": LANG, "metadata.toelichting": KORT}
    assert persoonsvelden(Inburgeringstraject.BredeIntakeGehouden) == {
        "gezondheid": GEZONDHEID, "onderwerpen": KORT, "metadata.toelichting": KORT}
    assert persoonsvelden(Inburgeringstraject.TermijnVerlengd) == {"grond": GEZONDHEID, "metadata.toelichting": KORT}


def _afgesloten_op(einde: date) -> Inburgeringstraject:
    traject = statushouder_met_pip()
    traject.registreer_voortgangsgesprek(datum=date(2025, 6, 2), gevoerd=True, geldige_reden=False, verslag="Goed", door=door())
    traject.verhuis_buiten_regio(datum=einde, nieuwe_gemeente="0363", toelichting="Naar familie", door=door(einde))
    return traject


def test_retention_runs_five_years_from_the_end_of_the_plicht_for_short_term_and_health_data() -> None:
    traject = _afgesloten_op(date(2025, 7, 1))
    with pytest.raises(fouten.BewaartermijnLooptNogError, match="2030-07-01"):
        traject.verwijder_persoonsgegevens(grond=GrondVerwijdering.BEWAARTERMIJN_VERSTREKEN, overlijdensdatum=None, door=door(date(2030, 6, 30)))
    klassen = traject.verwijder_persoonsgegevens(
        grond=GrondVerwijdering.BEWAARTERMIJN_VERSTREKEN, overlijdensdatum=None, door=door(date(2030, 7, 1))
    )
    assert klassen == [KORT, GEZONDHEID]
    gesprek = next(f for f in traject.feiten.values() if isinstance(f, Inburgeringstraject.VoortgangsgesprekGevoerd))
    assert (gesprek.verslag, traject.bsn != VERWIJDERD) == (VERWIJDERD, True)
    with pytest.raises(fouten.BewaartermijnLooptNogError, match="2075-07-01"):
        traject.verwijder_persoonsgegevens(grond=GrondVerwijdering.BEWAARTERMIJN_VERSTREKEN, overlijdensdatum=None, door=door(date(2075, 6, 30)))
    assert traject.verwijder_persoonsgegevens(
        grond=GrondVerwijdering.BEWAARTERMIJN_VERSTREKEN, overlijdensdatum=None, door=door(date(2075, 7, 1))
    ) == [LANG]
    assert traject.bsn is VERWIJDERD
    with pytest.raises(fouten.AlVastgelegdError):
        traject.verwijder_persoonsgegevens(grond=GrondVerwijdering.OVERLIJDEN, overlijdensdatum=date(2076, 1, 1), door=door(date(2076, 1, 2)))


def test_no_retention_period_runs_while_the_plicht_does() -> None:
    with pytest.raises(fouten.BewaartermijnLooptNogError, match="loopt nog"):
        statushouder_met_pip().verwijder_persoonsgegevens(
            grond=GrondVerwijdering.BEWAARTERMIJN_VERSTREKEN, overlijdensdatum=None, door=door(date(2090, 1, 1))
        )


def test_death_removes_everything_ends_the_plicht_and_closes_the_record() -> None:
    traject = statushouder_met_pip()
    with pytest.raises(fouten.OverlijdensdatumOntbreektError):
        traject.verwijder_persoonsgegevens(grond=GrondVerwijdering.OVERLIJDEN, overlijdensdatum=None, door=door())
    with pytest.raises(fouten.DatumInDeToekomstError):
        traject.verwijder_persoonsgegevens(grond=GrondVerwijdering.OVERLIJDEN, overlijdensdatum=date(2026, 6, 2), door=door())
    with pytest.raises(fouten.NaOverlijdenError, match="2025-03-01"):  # the PIP's dagtekening lies after it
        traject.verwijder_persoonsgegevens(grond=GrondVerwijdering.OVERLIJDEN, overlijdensdatum=date(2025, 2, 1), door=door())
    klassen = traject.verwijder_persoonsgegevens(grond=GrondVerwijdering.OVERLIJDEN, overlijdensdatum=date(2025, 9, 1), door=door())
    assert set(klassen) == {KORT, LANG, GEZONDHEID}
    assert (traject.status, traject.einddatum, traject.bsn) == (Status.OVERLEDEN, date(2025, 9, 1), VERWIJDERD)
    with pytest.raises(fouten.PersoonsgegevensVerwijderdError):
        traject.registreer_voortgangsgesprek(datum=date(2025, 9, 1), gevoerd=False, geldige_reden=True, verslag="x", door=door())
    with pytest.raises(fouten.PersoonsgegevensVerwijderdError):
        traject.verhuis_binnen_regio(datum=date(2025, 9, 1), naar=Gemeente.PAPENDRECHT, door=door())


def test_after_removal_a_replay_from_the_stored_facts_gives_the_same_state() -> None:
    traject = _afgesloten_op(date(2025, 7, 1))
    traject.verwijder_persoonsgegevens(grond=GrondVerwijdering.BEWAARTERMIJN_VERSTREKEN, overlijdensdatum=None, door=door(date(2030, 7, 1)))
    herbouwd = None
    for feit in traject.collect_events():
        herbouwd = feit.mutate(herbouwd)
    assert herbouwd is not None
    assert {k: v for k, v in vars(herbouwd).items() if k != "feiten"} == {k: v for k, v in vars(traject).items() if k != "feiten"}
    herbouwde_feiten = typing.cast(Inburgeringstraject, herbouwd).feiten
    assert {v: vars(f) for v, f in herbouwde_feiten.items()} == {v: vars(f) for v, f in traject.feiten.items()}
    gesprek = next(f for f in herbouwde_feiten.values() if isinstance(f, Inburgeringstraject.VoortgangsgesprekGevoerd))
    assert (gesprek.verslag, gesprek.datum) == (VERWIJDERD, date(2025, 6, 2))
