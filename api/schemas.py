"""Request and response bodies. Dutch, lowerCamelCase on the wire; never domain objects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from stdnum.nl import bsn as bsn_nummer

from domain import commandos
from domain.waarden import (
    Boeteartikel,
    Boetegrond,
    Doelgroep,
    Gemeente,
    Leerroute,
    RedenRoutewijziging,
    Verblijfsvergunning,
    Verwijtbaarheid,
)


def _elfproef(waarde: str) -> str:
    if waarde == "000000000" or not bsn_nummer.is_valid(waarde):
        raise ValueError("geen geldig BSN (elfproef)")
    return waarde


Bsn = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{9}$",
        description="Burgerservicenummer: 9 cijfers die voldoen aan de elfproef; 000000000 is ongeldig.",
        json_schema_extra={"format": "bsn", "examples": ["111222333"]},
    ),
    AfterValidator(_elfproef),
]
Tekst = Annotated[str, Field(min_length=1, max_length=20_000)]
KorteTekst = Annotated[str, Field(min_length=1, max_length=200)]


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class Uitvoer(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# -- requests ----------------------------------------------------------------------------------


class TrajectStartNaTvsProfiel(Schema):
    """Start na ontvangst van het TVS-profiel van het COA (alleen asielstatushouders)."""

    aanleiding: Literal["tvs_profiel"]
    datum: date = Field(description="Datum van ontvangst van het TVS-profiel.")
    gemeente: Gemeente
    bsn: Bsn
    huishoudgrootte: int | None = Field(default=None, ge=1, le=30)
    land_van_herkomst: KorteTekst | None = None
    taal: KorteTekst | None = None

    def commando(self) -> commandos.StartNaTvsProfiel:
        return commandos.StartNaTvsProfiel(**self.model_dump(exclude={"aanleiding"}))


class TrajectStartNaKennisgeving(Schema):
    """Start na de kennisgeving van DUO dat de persoon inburgeringsplichtig is."""

    aanleiding: Literal["duo_kennisgeving"]
    datum: date = Field(description="Dagtekening van de kennisgeving van DUO.")
    gemeente: Gemeente
    bsn: Bsn
    verblijfsvergunning: Verblijfsvergunning
    referent_verblijfsvergunning: Verblijfsvergunning | None = None

    def commando(self) -> commandos.StartNaKennisgeving:
        return commandos.StartNaKennisgeving(**self.model_dump(exclude={"aanleiding"}))


TrajectCreate = Annotated[TrajectStartNaTvsProfiel | TrajectStartNaKennisgeving, Field(discriminator="aanleiding")]


class TrajectZoek(Schema):
    """Zoekvraag: het BSN staat in de body, nooit in een URL."""

    bsn: Bsn


class KennisgevingCreate(Schema):
    """De kennisgeving van DUO van de inburgeringsplicht."""

    datum: date = Field(description="Dagtekening van de kennisgeving.")
    verblijfsvergunning: Verblijfsvergunning
    referent_verblijfsvergunning: Verblijfsvergunning | None = None

    def commando(self) -> commandos.RegistreerKennisgeving:
        return commandos.RegistreerKennisgeving(**self.model_dump())


class HuisvestingCreate(Schema):
    """Huisvesting en inschrijving in de BRP van de gemeente."""

    datum: date = Field(description="Datum van inschrijving in de BRP van de gemeente van huisvesting.")
    gemeente: Gemeente
    huisvestingsdatum: date | None = Field(default=None, description="Datum van huisvesting (sleuteloverdracht).")

    def commando(self) -> commandos.RegistreerHuisvesting:
        return commandos.RegistreerHuisvesting(**self.model_dump())


class IntakeOnderwerpen(Schema):
    """De onderwerpen van de brede intake (beleidsplan §3.1), behalve gezondheid."""

    leerbaarheid: Tekst | None = None
    opleiding: Tekst | None = None
    werk: Tekst | None = None
    competenties: Tekst | None = None
    zelfredzaamheid: Tekst | None = None
    taalniveau: Tekst | None = None
    motivatie: Tekst | None = None
    gezinssituatie: Tekst | None = None
    sociaal_netwerk: Tekst | None = None


class IntakeGezondheid(Schema):
    """Bijzondere persoonsgegevens (AVG art. 9): alleen voor de regisseur van de eigen gemeente."""

    mentale_gezondheid: Tekst | None = None
    fysieke_gezondheid: Tekst | None = None


class BredeIntakeCreate(Schema):
    """De brede intake is gehouden (Wi 14)."""

    datum: date
    onderwerpen: IntakeOnderwerpen
    gezondheid: IntakeGezondheid = IntakeGezondheid()
    leerbaarheidstoets_advies: Leerroute | None = Field(default=None, description="Advies over de leerroute.")

    def commando(self) -> commandos.HoudBredeIntake:
        return commandos.HoudBredeIntake(
            datum=self.datum,
            onderwerpen=self.onderwerpen.model_dump(exclude_none=True),
            gezondheid=self.gezondheid.model_dump(exclude_none=True),
            leerbaarheidstoets_advies=self.leerbaarheidstoets_advies,
        )


class PipVaststellingCreate(Schema):
    """Het PIP is vastgesteld (Wi 15)."""

    dagtekening: date = Field(description="Dagtekening van de PIP-beschikking; de termijn start de dag erna.")
    leerroute: Leerroute
    leerroute_uren_per_week: int | None = Field(default=None, ge=1, le=40, description="Alleen asielstatushouders.")
    pvt_uren: int = Field(ge=12, le=200, description="Intensiteit PVT, ten minste 12 uur (Bi 3.1).")
    map_uren: int | None = Field(default=None, ge=1, le=1000, description="Intensiteit MAP; niet in de onderwijsroute.")
    aantal_voortgangsgesprekken: int = Field(ge=1, le=50)
    ondersteuning: Tekst

    def commando(self) -> commandos.StelPipVast:
        return commandos.StelPipVast(**self.model_dump())


class LeerrouteWijzigingCreate(Schema):
    """Het college stelt een andere leerroute vast (Wi 17(2))."""

    datum: date
    naar: Leerroute
    reden: RedenRoutewijziging
    toelichting: Tekst

    def commando(self) -> commandos.WijzigLeerroute:
        return commandos.WijzigLeerroute(**self.model_dump())


class VoortgangsgesprekCreate(Schema):
    """Een voortgangsgesprek is gevoerd of gemist; het verslag wordt altijd bewaard."""

    datum: date
    status: Literal["gevoerd", "gemist"]
    geldige_reden: bool = Field(default=False, description="Alleen bij gemist: was er een geldige reden?")
    verslag: Tekst

    def commando(self) -> commandos.RegistreerVoortgangsgesprek:
        return commandos.RegistreerVoortgangsgesprek(
            datum=self.datum, gevoerd=self.status == "gevoerd", geldige_reden=self.geldige_reden, verslag=self.verslag
        )


class BoeteCreate(Schema):
    """Het college legt een boete op (Wi 22 of Wi 23); het bedrag volgt uit het beleid."""

    datum: date = Field(description="Dagtekening van de boetebeschikking.")
    artikel: Boeteartikel
    grond: Boetegrond
    verwijtbaarheid: Verwijtbaarheid
    motivering: Tekst
    uitzonderlijk_geval_motivering: Tekst | None = Field(
        default=None, description="Verplicht voor asielstatushouders (HvJ EU C-158/23)."
    )

    def commando(self) -> commandos.LegBoeteOp:
        return commandos.LegBoeteOp(**self.model_dump())


# -- responses ---------------------------------------------------------------------------------


class DeadlinePublic(Uitvoer):
    soort: str
    uiterlijk: date
    grondslag: str
    status: Literal["open", "verlopen", "voldaan", "te_laat_voldaan"]


class BoetePublic(Uitvoer):
    versie: int
    datum: date
    artikel: Boeteartikel
    grond: Boetegrond
    bedrag: Decimal


class TrajectPublic(Uitvoer):
    """Een inburgeringstraject zoals het nu is, met de termijnen die eruit volgen."""

    traject_id: UUID
    versie: int
    aanleiding: str
    doelgroep: Doelgroep
    gemeente: Gemeente
    bsn: str
    startdatum: date
    kennisgevingsdatum: date | None
    brp_inschrijvingsdatum: date | None
    huisvestingsdatum: date | None
    brede_intake_datum: date | None
    leerbaarheidstoets_advies: Leerroute | None
    pip_dagtekening: date | None
    leerroute: Leerroute | None
    aantal_routewijzigingen: int
    aantal_voortgangsgesprekken_gepland: int
    aantal_voortgangsgesprekken_gevoerd: int
    aantal_voortgangsgesprekken_gemist: int
    termijn_start: date | None
    termijn_einde: date | None
    pip_uiterste_datum: date | None
    routewijziging_uiterste_datum: date | None
    deadlines: list[DeadlinePublic]
    boetes: list[BoetePublic]


class TrajectenPublic(Uitvoer):
    trajecten: list[TrajectPublic]


class ActorPublic(Uitvoer):
    gebruiker: str
    rol: str
    gemeente: str | None


class GebeurtenisPublic(Uitvoer):
    """Een vastgelegd feit: wat, wanneer het gold, wanneer en door wie het is vastgelegd."""

    type: str = Field(description="Het stabiele topic van het feit.")
    versie: int
    datum: date = Field(description="De datum waarop het feit gold.")
    vastgelegd_op: datetime = Field(description="Het moment van vastleggen (UTC).")
    actor: ActorPublic
    correlatie_id: str
    gegevens: dict[str, Any]


class GebeurtenissenPublic(Uitvoer):
    gebeurtenissen: list[GebeurtenisPublic]


class Gezondheid(Uitvoer):
    status: Literal["ok"]
