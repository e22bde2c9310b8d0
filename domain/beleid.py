"""SDD policy values and the Besluit's amounts: versioned, effective-dated, each with its source.

Values the law fixes are here too when the Besluit may change them (boete amounts), so that a
change is one new entry with a date instead of a code change. A fact is judged by the policy in
force on the date the fact took effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.waarden import Verwijtbaarheid


@dataclass(frozen=True)
class Beleid:
    """One version of the policy table."""

    ingangsdatum: date
    bron: str
    max_routewijzigingen: int
    intake_signaal_weken: int
    brp_inschrijving_signaal_weken: int
    begeleiding_maanden: int
    boete_wi22: Decimal
    boete_wi23_basis: Decimal
    boete_wi23_maximum: Decimal
    boete_wi23_recidive_maanden: int
    boetes_maximum_per_termijn: Decimal
    verwijtbaarheid_percentage: dict[Verwijtbaarheid, int]
    signalering_binnenkort_dagen: int


BELEIDSVERSIES: tuple[Beleid, ...] = (
    Beleid(
        ingangsdatum=date(2022, 1, 1),
        bron=(
            "SDD beleidsplan inburgering Drechtsteden §3.1 (intake 10 weken), §3.3 (een "
            "routewijziging), §3.8 (begeleiding 15 maanden); Besluit inburgering 2021 art. 7.1 "
            "(boetebedragen); BRP-inschrijving 12 weken na de koppeling: gemeente 10 weken voor woonruimte en "
            "2 weken voor de verhuizing (coa.nl 'Huisvesting van statushouders'; nieuwebrabanders.nl "
            "'Huisvesting gemeente')"
        ),
        max_routewijzigingen=1,
        intake_signaal_weken=10,
        # The beleidsplan is silent on the time from COA's koppeling (the TVS-profiel) to housing. The
        # taakstelling's norm: the gemeente offers housing within 10 weeks of the koppeling and the move
        # follows within 2 more (nieuwebrabanders.nl; coa.nl: "binnen tien weken na de koppeling"); the
        # BRP-inschrijving comes with the move. Later than that, the person is waiting unseen: no PIP
        # date runs until the inschrijving (Bi 5.3(1)). A signal, not a legal term.
        brp_inschrijving_signaal_weken=12,
        begeleiding_maanden=15,
        boete_wi22=Decimal("250.00"),
        boete_wi23_basis=Decimal("50.00"),
        boete_wi23_maximum=Decimal("800.00"),
        boete_wi23_recidive_maanden=12,
        boetes_maximum_per_termijn=Decimal("2400.00"),
        verwijtbaarheid_percentage={
            Verwijtbaarheid.OPZET: 100,
            Verwijtbaarheid.GROVE_SCHULD: 75,
            Verwijtbaarheid.GEEN_OPZET_OF_GROVE_SCHULD: 50,
            Verwijtbaarheid.VERMINDERD_VERWIJTBAAR: 25,
            Verwijtbaarheid.NIET_VERWIJTBAAR: 0,
        },
        signalering_binnenkort_dagen=14,
    ),
)


def beleid_op(peildatum: date) -> Beleid:
    """The policy in force on a date; facts before the first version fall under the first."""
    geldend = BELEIDSVERSIES[0]
    for versie in BELEIDSVERSIES:
        if versie.ingangsdatum <= peildatum:
            geldend = versie
    return geldend


# -- figures for the management reports (policy document chapters 2 and 4) -----------------------

SPUK_BRON = "Beleidsplan inburgering Drechtsteden §4.1.2 (SPUK-bedragen per persoon) en §4.1.1 (raming 2022)"

# Per person per component of the inburgeringsvoorzieningen, for (asielstatushouder, gezins_overige_migrant).
SPUK_BEDRAGEN: dict[str, tuple[Decimal, Decimal]] = {
    "leerroutes": (Decimal("10000"), Decimal("0")),
    "map": (Decimal("136"), Decimal("195")),
    "maatschappelijke_begeleiding": (Decimal("1944"), Decimal("0")),
    "pvt": (Decimal("216"), Decimal("216")),
    "tolkvoorziening": (Decimal("417"), Decimal("179")),
}

# SPUK 2022 as estimated per gemeente (CBS code) in the policy document.
SPUK_RAMING_2022: dict[str, Decimal] = {
    "0505": Decimal("265808"),
    "0531": Decimal("68316"),
    "0590": Decimal("68905"),
    "0642": Decimal("104734"),
}

# Expected leerroute mix in percent (low, high): SDD's own estimate for asielstatushouders (§2.3),
# SZW's figures for gezins- en overige migranten.
VERWACHTE_LEERROUTEMIX: dict[str, dict[str, tuple[int, int]]] = {
    "asielstatushouder": {"b1": (40, 50), "onderwijsroute": (10, 20), "z_route": (40, 50)},
    "gezins_overige_migrant": {"b1": (83, 83), "onderwijsroute": (14, 14), "z_route": (3, 3)},
}
