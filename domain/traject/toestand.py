"""The state of a trajectory, declared once for every part that reads or writes it.

The aggregate is put together from one part per phase of the process (domain/traject/*.py); each part
inherits this declaration, so a part that uses an attribute no one declared fails the type checker
(tests/test_typen.py). Inburgeringstraject sets the values (`__init__`, `_beginstand`) and the facts change
them (`pas_toe`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from domain.persoonsgegevens import Bewaarklasse, Verwijderd
from domain.traject.basis import Gebeurtenis, Gesprek, Handhavingszaak, Oproep, Status, Uren
from domain.waarden import Aanleiding, Doelgroep, Gemeente, Leerroute, Vastlegging, Verblijfsvergunning


class Toestand:
    """Annotations only: nothing here exists at run time but the names, so the library's aggregate is untouched."""

    aanleiding: Aanleiding
    doelgroep: Doelgroep
    startgemeente: Gemeente
    gemeente: Gemeente
    bsn: str | Verwijderd  # VERWIJDERD once the long-term key is destroyed
    startdatum: date
    startregisseur: str | None
    regisseur: str | None
    feiten: dict[int, Gebeurtenis]
    correcties: int
    verwijderd: set[Bewaarklasse]  # classes of personal data whose keys were destroyed
    status: Status
    einddatum: date | None
    tvs_profiel_ontvangen: date | None
    coa_warme_overdracht: date | None
    kennisgevingsdatum: date | None
    verblijfsvergunning: Verblijfsvergunning | None  # as DUO's kennisgeving states it
    brp_inschrijvingsdatum: date | None
    huisvestingsdatum: date | None
    oproepen: list[Oproep]
    kennismakingsgesprek: date | None
    leerbaarheidstoets: Literal["afgenomen", "ontheffing"] | None
    brede_intake_datum: date | None
    intake_in_afwezigheid: bool
    leerroute_advies: Leerroute | None
    welkomstprogramma: date | None
    pip_dagtekening: date | None
    pip_gewijzigd: date | None
    pip_aanbod: frozenset[str]
    leerroute: Leerroute | None
    aantal_voortgangsgesprekken: int
    routewijzigingen: int
    afgeschaald_naar_a2: date | None
    uren: Uren
    gesprekken: list[Gesprek]
    participatieverklaring: date | None
    map_themas: frozenset[str]
    map_eindgesprek: date | None
    behaalde_onderdelen: frozenset[str]
    diploma: date | None
    z_route_eindgesprek: date | None
    certificaat: date | None
    warme_overdracht_vervolg: date | None
    ontzorgen_start: date | None
    begeleiding_start: date | None
    tolkvoorzieningen: int
    zaken: dict[int, Handhavingszaak]
    duo_termijn_einde: date | None
    gedeeltelijke_ontheffing: date | None
    duo_boetes: int
    verhuisd_op: date | None

    if TYPE_CHECKING:  # what the aggregate and the library provide to every part
        version: int

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...
        def herbereken(self) -> None: ...
        def samenhang(self) -> list[str]: ...
        def _vastleggen(self, soort: type[Gebeurtenis], datum: date, door: Vastlegging, /, **gegevens: object) -> None: ...
        def _vereis_pip(self, datum: date) -> tuple[Leerroute, date]: ...
        def _vereis_statushouder(self, wat: str) -> None: ...
        @staticmethod
        def _eenmalig(al: object) -> None: ...
        @property
        def is_afgesloten(self) -> bool: ...
        @property
        def pip_uiterste_datum(self) -> date | None: ...
        @property
        def termijn_start(self) -> date | None: ...
        @property
        def termijn_einde(self) -> date | None: ...
        @property
        def routewijziging_uiterste_datum(self) -> date | None: ...
