"""The API's strings and dates, the bases of request and response bodies, and the response bodies. Dutch,
lowerCamelCase on the wire; never domain objects. The request bodies of the commands are in api/verzoeken/."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError
from stdnum.nl import bsn as bsn_nummer

from domain import commandos
from domain.persoonsgegevens import Bewaarklasse
from domain.traject import Aanbod, MapThema, ZaakStap
from domain.velden import IEDEREEN, REGISSEUR_EN_AUDITOR, ZONDER_DUO, Lezers
from domain.waarden import Boeteartikel, Boetegrond, Doelgroep, Gemeente, Leerroute

# -- strings -------------------------------------------------------------------------------------
# Every string the API accepts (bodies, queries, paths, stored headers) refuses NUL and the other C0/C1
# control characters: one NUL in a stored event made every list on PostgreSQL answer 500. The document
# shows the rule as a `pattern`; the same expression is checked here, with a reason that names the character.
STUURTEKENS = "\\u0000-\\u001f\\u007f-\\u009f"
STUURTEKENS_BEHALVE_REGELEINDEN = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"  # free text keeps tab, LF, CR
EEN_REGEL = f"^[^{STUURTEKENS}]*$"
MEER_REGELS = f"^[^{STUURTEKENS_BEHALVE_REGELEINDEN}]*$"


def _zonder_stuurtekens(verboden: str, uitleg: str) -> AfterValidator:
    teken = re.compile(f"[{verboden}]")

    def controleer(waarde: str) -> str:
        if gevonden := teken.search(waarde):
            raise PydanticCustomError("stuurteken", "Bevat het stuurteken U+{code} op positie {positie}; {uitleg}.",
                                      {"code": f"{ord(gevonden.group()):04X}", "positie": gevonden.start() + 1, "uitleg": uitleg})
        return waarde

    return AfterValidator(controleer)


_EEN_REGEL = _zonder_stuurtekens(STUURTEKENS, "dit veld is één regel, zonder tab, regeleinde of ander stuurteken")
_MEER_REGELS = _zonder_stuurtekens(STUURTEKENS_BEHALVE_REGELEINDEN, "alleen tab en regeleinde zijn toegestaan")


def tekst(max_length: int, *, meerregelig: bool = False, min_length: int = 1) -> Any:
    """The string type of the API: one line, or free text that keeps tabs and line breaks (`meerregelig`);
    never another control character."""
    patroon, controle = (MEER_REGELS, _MEER_REGELS) if meerregelig else (EEN_REGEL, _EEN_REGEL)
    return Annotated[str, Field(min_length=min_length, max_length=max_length, json_schema_extra={"pattern": patroon}), controle]


def _volgens(patroon: str, reden: str) -> AfterValidator:
    """A string of a fixed shape, checked with the expression the document declares (Python's re: with lookahead)."""
    vorm = re.compile(patroon)

    def controleer(waarde: str) -> str:
        if not vorm.fullmatch(waarde):
            raise PydanticCustomError("patroon", reden)
        return waarde

    return AfterValidator(controleer)


if TYPE_CHECKING:  # to the type checker these are text; at run time they carry the API's limits
    Tekst = str
    KorteTekst = str
else:
    Tekst = tekst(20_000, meerregelig=True)
    KorteTekst = tekst(200)
BSN_PATROON = "^(?!0{9})[0-9]{9}$"  # 000000000 passes the elfproef's sum, but is no BSN
UUID_PATROON = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _elfproef(waarde: str) -> str:
    if not bsn_nummer.is_valid(waarde):
        raise PydanticCustomError("bsn", "Geen geldig BSN: het voldoet niet aan de elfproef.")
    return waarde


Bsn = Annotated[
    str,
    Field(
        description="Burgerservicenummer: 9 cijfers die voldoen aan de elfproef; 000000000 is ongeldig.",
        json_schema_extra={"pattern": BSN_PATROON, "format": "bsn", "examples": ["111222333"]},
    ),
    _volgens(BSN_PATROON, "Een BSN is 9 cijfers, niet 000000000."),
    AfterValidator(_elfproef),
]
CorrelatieId = Annotated[
    str,
    Field(json_schema_extra={"format": "uuid", "pattern": UUID_PATROON}),
    _volgens(UUID_PATROON, "Een correlatie-id is een UUID (8-4-4-4-12 hexadecimale tekens)."),
]
# An opaque token, stored with the answer: visible ASCII only (RFC 9110 field-vchar without obs-text, no
# space), so that no byte has two readings (a header value is latin-1 to the framework, UTF-8 to most clients).
IDEMPOTENCY_PATROON = "^[!-~]{1,255}$"
IdempotencySleutel = Annotated[
    str,
    Field(json_schema_extra={"minLength": 1, "maxLength": 255, "pattern": IDEMPOTENCY_PATROON}),
    _volgens(IDEMPOTENCY_PATROON, "Een Idempotency-Key is 1 tot 255 zichtbare ASCII-tekens, zonder spatie; bijvoorbeeld een UUID."),
]

# A value the API sends as a header for a client (a subscription's Authorization): visible ASCII and inner
# spaces, as httpx can send it; no line break that would start another header.
HEADERWAARDE_PATROON = "^[!-~](?:[ -~]{0,1998}[!-~])?$"
Headerwaarde = Annotated[
    str,
    Field(json_schema_extra={"minLength": 1, "maxLength": 2000, "pattern": HEADERWAARDE_PATROON}),
    _volgens(HEADERWAARDE_PATROON, "Een headerwaarde van 1 tot 2000 zichtbare ASCII-tekens, met spaties alleen ertussen; "
                                   "bijvoorbeeld Bearer eyJhbGciOi..."),
]


DATUMPATROON = r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"


def _iso_datum(waarde: Any) -> Any:
    # pydantic would also read "0", 0 or "1700000000" as a date (a Unix time); a date here is JJJJ-MM-DD text,
    # in the years 1900-2999: further out no trajectory lies, and date arithmetic would overflow.
    if isinstance(waarde, date) and not isinstance(waarde, datetime):
        return waarde  # from Python code, not from the wire
    if not isinstance(waarde, str) or not re.fullmatch(DATUMPATROON, waarde):
        raise ValueError("verwacht een datum als JJJJ-MM-DD tussen 1900-01-01 en 2999-12-31, bijvoorbeeld 2025-03-01")
    return waarde


# Bodies are strict (below); a date is read from its text, which JSON has no other type for.
IsoDatum = Annotated[
    date, Strict(False), BeforeValidator(_iso_datum), WithJsonSchema({"type": "string", "format": "date", "pattern": DATUMPATROON})
]
if TYPE_CHECKING:
    Bedrag = Decimal
else:  # text on the wire, so that no float rounds it; exact in the domain, and sent back as the same text
    Bedrag = Annotated[
        str,
        Field(pattern=r"^(0|[1-9][0-9]{0,3})\.[0-9]{2}$", description="Bedrag in euro's met twee decimalen.", examples=["340.00"]),
        AfterValidator(Decimal),
        PlainSerializer(str, return_type=str),
    ]
T = TypeVar("T")
Keuze = Annotated[T, Strict(False)]  # an enum, or a set of them, from its JSON text or array; the rest stays strict


def json_getallen(gegevens: Any) -> Any:
    # JSON has one number type: 12.0 is the integer 12 (so says JSON Schema's "integer" too); 12.5 stays
    # a fraction, and an integer field refuses it.
    if not isinstance(gegevens, dict):
        return gegevens
    return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in gegevens.items()}


class Schema(BaseModel):
    # Strict: a JSON value is taken as the type it was sent as (true is no 1, "12" no 12, 12 no "12").
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, strict=True)
    # A valid body, in the document as the request's example (api/openapi.py); tests/contract/test_voorbeelden.py
    # sends each one to a trajectory in the state it needs, and expects it to be accepted.
    VOORBEELD: ClassVar[dict[str, Any] | None] = None

    @model_validator(mode="before")
    @classmethod
    def _getallen(cls, gegevens: Any) -> Any:
        return json_getallen(gegevens)


class Uitvoer(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# -- requests ----------------------------------------------------------------------------------


class CommandoSchema(Schema):
    """A request body that becomes one call of the trajectory's method `METHODE`: its fields are that
    method's arguments (tests/api/test_commandoschemas.py), with the limits of the wire."""

    METHODE: ClassVar[Callable[..., Any]]  # read from the class: a plain function, not bound to the body

    def argumenten(self) -> dict[str, Any]:
        # A nested group of optional texts (the intake's subjects) reaches the domain as the ones given.
        return {naam: waarde.model_dump(exclude_none=True) if isinstance(waarde, Schema) else waarde for naam, waarde in self}

    def commando(self, **uit_het_pad: Any) -> commandos.Commando:
        return commandos.Commando(type(self).METHODE, **self.argumenten(), **uit_het_pad)


Datum = Annotated[IsoDatum, Field(description="De datum waarop het feit gold.")]


class DatumCreate(CommandoSchema):
    datum: Datum


# -- responses ---------------------------------------------------------------------------------


class DeadlinePublic(Uitvoer):
    """Een wettelijke of beleidsmatige termijn van het traject: wat uiterlijk wanneer moet, en op grond waarvan."""

    soort: str
    uiterlijk: date
    grondslag: str
    status: Literal["open", "verlopen", "voldaan", "te_laat_voldaan"]
    zaaknummer: int | None = None


class BoetePublic(Uitvoer):
    """Een opgelegde boete uit een handhavingszaak."""

    zaaknummer: int
    datum: date
    artikel: Boeteartikel
    grond: Boetegrond
    bedrag: Decimal


class HandhavingszaakPublic(Uitvoer):
    """Een Awb-procedure voor een boete van het college."""

    nummer: int
    artikel: Boeteartikel
    grond: Boetegrond
    overtredingsdatum: date
    rapportdatum: date
    stap: ZaakStap
    zienswijzetermijn: date | None
    bijstand_verlaagd: bool
    boete: BoetePublic | None
    bezwaar_ontvangen: date | None
    bezwaar_tijdig: bool | None
    beslissing_op_bezwaar: str | None


TrajectStatus = Literal["lopend", "afgerond", "vrijgesteld", "ontheven", "overgedragen", "overleden"]


# Who may read each field of a trajectory's state, declared at the field (domain/velden.py's audiences);
# api/weergave.py leaves empty what the reader's role is not named for, and a field without one fails.
Iedereen = Annotated[T, Lezers(IEDEREEN)]
ZonderDuo = Annotated[T, Lezers(ZONDER_DUO)]  # what the brede intake found, beyond its outcome
RegisseurEnAuditor = Annotated[T, Lezers(REGISSEUR_EN_AUDITOR)]  # that the toets was waived tells of an impairment (Wi 14(6))


class TrajectPublic(Uitvoer):
    """Een inburgeringstraject zoals het nu is, met de termijnen die eruit volgen."""

    traject_id: Iedereen[UUID]
    versie: Iedereen[int]
    status: Iedereen[TrajectStatus]
    einddatum: Iedereen[date | None]
    aanleiding: Iedereen[str]
    doelgroep: Iedereen[Doelgroep]
    gemeente: Iedereen[Gemeente]
    regisseur: Iedereen[str | None]
    bsn: Iedereen[str | None] = Field(description="Leeg zodra de persoonsgegevens van lange bewaring zijn verwijderd.")
    startdatum: Iedereen[date]
    coa_warme_overdracht: Iedereen[date | None]
    kennisgevingsdatum: Iedereen[date | None]
    brp_inschrijvingsdatum: Iedereen[date | None]
    huisvestingsdatum: Iedereen[date | None]
    aantal_intake_oproepen: Iedereen[int]
    kennismakingsgesprek: Iedereen[date | None]
    leerbaarheidstoets: RegisseurEnAuditor[Literal["afgenomen", "ontheffing"] | None]
    brede_intake_datum: Iedereen[date | None]
    intake_in_afwezigheid: Iedereen[bool]
    leerbaarheidstoets_advies: ZonderDuo[Leerroute | None]
    welkomstprogramma: Iedereen[date | None]
    pip_dagtekening: Iedereen[date | None]
    pip_aanbod: Iedereen[list[Aanbod]]
    leerroute: Iedereen[Leerroute | None]
    afgeschaald_naar_a2: Iedereen[date | None]
    aantal_routewijzigingen: Iedereen[int]
    uren: Iedereen[dict[str, int]]
    aantal_voortgangsgesprekken_gepland: Iedereen[int]
    aantal_voortgangsgesprekken_gevoerd: Iedereen[int]
    aantal_voortgangsgesprekken_gemist: Iedereen[int]
    participatieverklaring: Iedereen[date | None]
    map_themas: Iedereen[list[MapThema]]
    map_eindgesprek: Iedereen[date | None]
    behaalde_examenonderdelen: Iedereen[list[str]]
    diploma: Iedereen[date | None]
    z_route_eindgesprek: Iedereen[date | None]
    certificaat: Iedereen[date | None]
    financieel_ontzorgen_start: Iedereen[date | None]
    financieel_ontzorgen_einde: Iedereen[date | None]
    maatschappelijke_begeleiding_start: Iedereen[date | None]
    maatschappelijke_begeleiding_einde: Iedereen[date | None]
    aantal_tolkvoorzieningen: Iedereen[int]
    termijn_start: Iedereen[date | None]
    termijn_einde: Iedereen[date | None]
    termijn_einde_door_duo: Iedereen[bool]
    pip_uiterste_datum: Iedereen[date | None]
    routewijziging_uiterste_datum: Iedereen[date | None]
    aantal_duo_boetes: Iedereen[int]
    aantal_correcties: Iedereen[int]
    deadlines: Iedereen[list[DeadlinePublic]]
    handhavingszaken: Iedereen[list[HandhavingszaakPublic]]
    boetes: Iedereen[list[BoetePublic]]
    afgeschermd: Iedereen[list[str]] = Field(default=[], description="Velden die voor de rol van de lezer leeg blijven (doelbinding).")
    verwijderd: Iedereen[list[str]] = Field(
        default=[], description="Velden die leeg zijn omdat de persoonsgegevens na de bewaartermijn of overlijden zijn verwijderd (Bi 9.9)."
    )
    verwijderde_bewaarklassen: Iedereen[list[Bewaarklasse]] = Field(
        default=[], description="De klassen persoonsgegevens waarvan de sleutels zijn vernietigd."
    )


class EerstvolgendeDeadline(Uitvoer):
    """De eerstvolgende termijn van een traject in de lijst."""

    soort: str
    uiterlijk: date


class TrajectLijstItem(Uitvoer):
    """Een traject in een lijst: wat een regisseur nodig heeft om te kiezen wat eerst moet."""

    traject_id: UUID
    versie: int
    gemeente: Gemeente
    doelgroep: Doelgroep
    leerroute: Leerroute | None
    status: str
    regisseur: str | None
    startdatum: date
    pip_dagtekening: date | None
    termijn_einde: date | None
    eerstvolgende_deadline: EerstvolgendeDeadline | None


class TrajectenlijstPublic(Uitvoer):
    """Een pagina van de trajectenlijst, met de cursor naar de volgende."""

    trajecten: list[TrajectLijstItem]
    volgende: str | None = Field(description="Cursor voor de volgende pagina; leeg op de laatste.")


class SignaleringPublic(Uitvoer):
    """Een open termijn van een lopend traject."""

    traject_id: UUID
    gemeente: Gemeente
    regisseur: str | None
    soort: str
    zaaknummer: int | None
    uiterlijk: date
    grondslag: str
    status: Literal["op_tijd", "binnenkort", "verlopen"]


class SignaleringenPublic(Uitvoer):
    """Een pagina van de werklijst: de signaleringen op de peildatum, met de cursor naar de volgende."""

    signaleringen: list[SignaleringPublic]
    peildatum: date
    volgende: str | None = Field(description="Cursor voor de volgende pagina; leeg op de laatste.")


EuroTekst = Annotated[str, Field(description="Bedrag in euro's als decimale tekst.", examples=["34087.50"])]


class InstroomRapport(Uitvoer):
    """Nieuwe trajecten in een gemeente en jaar, naar startdatum."""

    jaar: int
    per_doelgroep: dict[Doelgroep, int]
    totaal: int


class LeerrouteAandeel(Uitvoer):
    """Hoeveel PIP's van een doelgroep een leerroute kregen, en welk deel dat is."""

    leerroute: Leerroute
    aantal: int
    percentage: str | None = Field(description="Aandeel in procenten met één decimaal; leeg zonder PIP's in dat jaar.")
    verwacht_minimum: int = Field(description="Ondergrens van de verwachting in het beleidsplan, in procenten.")
    verwacht_maximum: int = Field(description="Bovengrens van de verwachting in het beleidsplan, in procenten.")
    binnen_verwachting: bool


class LeerroutemixDoelgroep(Uitvoer):
    """De verdeling over de leerroutes van de PIP's van één doelgroep."""

    totaal: int
    routes: list[LeerrouteAandeel]


class LeerroutemixRapport(Uitvoer):
    """De leerroutes in de PIP's van een jaar naast de verwachting uit het beleidsplan."""

    jaar: int
    per_doelgroep: dict[Doelgroep, LeerroutemixDoelgroep]


class SpukComponent(Uitvoer):
    """Eén onderdeel van de SPUK-verantwoording: per doelgroep het volume en het bedrag per persoon, en de realisatie."""

    component: Literal["leerroutes", "map", "maatschappelijke_begeleiding", "pvt", "tolkvoorziening"]
    volume_asielstatushouders: int
    volume_gezins_overige_migranten: int
    bedrag_per_persoon_asielstatushouder: EuroTekst
    bedrag_per_persoon_gezins_overige_migrant: EuroTekst
    realisatie: EuroTekst


class SpukRapport(Uitvoer):
    """De SPUK-realisatie uit de werkelijke volumes met de bedragen per persoon, naast de raming 2022."""

    jaar: int
    gemeente: Gemeente
    componenten: list[SpukComponent]
    realisatie_totaal: EuroTekst
    raming_2022: EuroTekst
    bron: str


class HandhavingArtikel(Uitvoer):
    """De handhavingszaken onder één artikel van de wet: per stap, opgelegde bedragen en bezwaren."""

    per_stap: dict[ZaakStap, int] = Field(description="Aantal zaken per stap van de Awb-procedure.")
    opgelegd_bedrag: EuroTekst
    bezwaren: int


class HandhavingRapport(Uitvoer):
    """Handhavingszaken van een jaar per artikel: stappen, opgelegde bedragen en bezwaren."""

    jaar: int
    per_artikel: dict[Boeteartikel, HandhavingArtikel]


class ProjectieStoringPublic(Uitvoer):
    """Een gebeurtenis die het leesmodel niet kon verwerken: het staat stil vlak ervoor en probeert het bij
    elke volgende ronde opnieuw. Lezen gaat door op de laatst verwerkte stand."""

    positie: int = Field(description="De positie van de gebeurtenis in het gebeurtenissenlog.")
    tijdstip: datetime = Field(description="Sinds wanneer het leesmodel met deze fout bij deze gebeurtenis stilstaat (UTC).")
    fout: str = Field(description="De soort fout; bij een databasefout ook de SQLSTATE en, bij een overtreden constraint "
                                  "of een fout in het schema, de melding die tabel, kolom of constraint noemt. Nooit "
                                  "gegevens uit de gebeurtenis.")


class ProjectieOpbouwPublic(Uitvoer):
    """Een nieuwe versie van het leesmodel die naast de versie in gebruik wordt opgebouwd, vanaf de eerste
    gebeurtenis. Lezen gaat tot de wissel door op de versie in gebruik; daarna leest iedereen de nieuwe."""

    versie: int = Field(description="De versie die wordt opgebouwd.", examples=[5])
    positie: int = Field(description="Tot waar in het gebeurtenissenlog de opbouw is gekomen.", examples=[120000])
    kop: int = Field(description="De laatste positie in het gebeurtenissenlog toen de opbouw die stand meldde.", examples=[250000])
    sinds: datetime = Field(description="Wanneer deze opbouw begon (UTC).")
    verlopen: bool = Field(description="Het proces dat de opbouw deed, meldt zich niet meer; een volgend proces met "
                                       "deze versie neemt hem over en begint opnieuw.")


class ProjectiePublic(Uitvoer):
    """Eén leesmodel: hoe ver het het gebeurtenissenlog heeft verwerkt, of het stilstaat, en een nieuwe versie in opbouw."""

    naam: str
    versie: int | None = Field(description="De versie van het leesmodel in gebruik; null in een opslag zonder tabellen.",
                               examples=[4])
    positie: int = Field(description="De laatste verwerkte positie in het gebeurtenissenlog.")
    kop: int = Field(description="De laatste positie in het gebeurtenissenlog.")
    achterstand: int = Field(description="Hoeveel posities van het log het leesmodel nog niet heeft verwerkt.")
    storing: ProjectieStoringPublic | None = Field(description="Waarom het leesmodel stilstaat; null als het gewoon bijloopt.")
    opbouw: ProjectieOpbouwPublic | None = Field(description="De nieuwe versie die naast deze wordt opgebouwd; null als "
                                                             "er geen opbouw loopt.")


class ProjectiesPublic(Uitvoer):
    """De leesmodellen en hoe ver elk het gebeurtenissenlog heeft verwerkt."""

    projecties: list[ProjectiePublic]


class TrajectenPublic(Uitvoer):
    """De trajecten van een persoon, gezocht op BSN, binnen het mandaat van de gebruiker."""

    trajecten: list[TrajectPublic]


class ActorPublic(Uitvoer):
    """Wie een feit vastlegde: de gebruiker, zijn rol en de gemeente namens welke."""

    gebruiker: str
    rol: str
    gemeente: str | None


class Gezondheid(Uitvoer):
    """De API antwoordt (en bij /health/ready: de opslag ook)."""

    status: Literal["ok"]


# -- audit trail, history, feed, integrity (issue 6) ----------------------------------------------


class Wijzigingen(Uitvoer):
    """De velden van het traject die dit feit veranderde, ervoor en erna (zoals de lezer ze mag zien)."""

    oud: dict[str, Any] | None = Field(description="Leeg bij het aanmaken.")
    nieuw: dict[str, Any]


class AuditregelPublic(Uitvoer):
    """Een regel van de audittrail in de vorm van de ZGW-API's, met wat alleen een gebeurtenissenlog kan geven."""

    uuid: UUID = Field(description="Stabiel id van deze regel, afgeleid van traject en versie.")
    bron: str = Field(description="Het systeem dat het feit vastlegde.")
    applicatie_id: str | None = Field(description="De clientapplicatie uit het token (azp).")
    applicatie_weergave: str | None
    gebruikers_id: str
    gebruikers_weergave: str
    actie: Literal["create", "update", "partial_update"]
    actie_weergave: str
    resultaat: int = Field(description="De HTTP-status waarmee het feit werd vastgelegd.")
    hoofd_object: str = Field(description="De URL van het traject.")
    resource: Literal["traject", "handhavingszaak"]
    resource_url: str
    resource_weergave: str
    toelichting: str | None = Field(description="Uit de kopregel X-Audit-Toelichting; leeg na verwijdering van de persoonsgegevens.")
    aanmaakdatum: datetime = Field(description="Het moment van vastleggen (UTC).")
    wijzigingen: Wijzigingen
    gebeurtenistype: str = Field(description="Het soort feit: het CloudEvents-type, zoals in de historie en de feed (zie /gebeurtenistypen).")
    datum: date = Field(description="De datum waarop het feit gold.")
    versie: int
    rechtsgrond: str
    namens_college: str | None = Field(description="De gemeente namens wier college het feit is vastgelegd.")
    trace_id: str | None = Field(description="W3C trace: koppelt het feit aan de toegangs- en auditlog.")
    correlatie_id: str


class AudittrailPublic(Uitvoer):
    """Wie welke persoonsgegevens van dit traject raadpleegde of wijzigde, oudste eerst."""

    audittrail: list[AuditregelPublic]


class CloudEventData(Uitvoer):
    """Informatiearm: wat er gebeurde en waar de details staan (dataref), nooit persoonsgegevens."""

    traject_id: UUID
    versie: int
    datum: date
    gemeente: str | None


class CloudEventPublic(BaseModel):
    """Een gebeurtenis volgens het NL GOV-profiel voor CloudEvents 1.0."""

    specversion: Literal["1.0"]
    id: UUID
    source: str = Field(description="URN van SDD en dit systeem (urn:nld:...).")
    type: str = Field(description="Omgekeerde DNS-naam naar de wet, bijvoorbeeld nl.wet-inburgering.traject.pip-vastgesteld.")
    time: datetime = Field(description="Het moment van vastleggen, niet de datum waarop het feit gold (die staat in data).")
    subject: UUID = Field(description="Het traject; nooit een BSN.")
    sequence: str = Field(description="De positie in het log, met voorloopnullen zodat tekstvolgorde de logvolgorde is.")
    datacontenttype: Literal["application/json"]
    dataschema: str = Field(
        description="Het JSON Schema van de gegevens van dit feit zoals de rol van de volger ze krijgt via dataref (`gegevens`): "
        "een verwijzing naar /gebeurtenistypen/{type}."
    )
    dataref: str = Field(description="Waar het volledige feit op te halen is (met de rechten van de volger).")
    data: CloudEventData


class FeedPublic(Uitvoer):
    """Een pagina van de feed: feiten als CloudEvents, de positie tot waar gelezen is en de volgende pagina."""

    gebeurtenissen: list[CloudEventPublic]
    positie: int = Field(description="De positie tot waar gelezen is; vraag de volgende pagina met na=positie.")
    volgende: str | None = Field(description="De URL van de volgende pagina, of leeg als de volger bij is.")


class BevindingPublic(Uitvoer):
    """Eén afwijking die de integriteitscontrole vond, per aggregaat en versie."""

    aggregaat_id: str
    versie: int | None
    soort: Literal["ontbreekt", "zonder-hash", "gewijzigd", "zonder-controlepunt", "controlepunt-vervalst",
                   "staart-verwijderd", "afwijkend-controlepunt", "niet-gedekt", "verdwenen"]
    uitleg: str


class VolledigeControlePublic(Uitvoer):
    """De laatste controle die elke opgeslagen gebeurtenis las: wanneer en met welke uitkomst."""

    tijdstip: datetime = Field(description="Wanneer de volledige controle begon (UTC).")
    in_orde: bool = Field(description="Of zij geen enkele afwijking vond.")


class IntegriteitPublic(Uitvoer):
    """De uitkomst van een integriteitscontrole van het gebeurtenissenlog tegen de hashketens en de ondertekende controlepunten."""

    in_orde: bool
    volledig: bool = Field(description="Of deze controle elke opgeslagen gebeurtenis las, of alleen wat na de vorige controle kwam.")
    na: int = Field(description="De positie in het log waarna deze controle gebeurtenissen las; 0 bij een volledige controle.")
    tot: int = Field(description="De positie in het log tot en met waar deze controle las.")
    aggregaten: int = Field(description="Het aantal gelezen ketens (trajecten en andere aggregaten).")
    gebeurtenissen: int = Field(description="Het aantal gelezen gebeurtenissen.")
    bevindingen: list[BevindingPublic]
    laatste_volledige_controle: VolledigeControlePublic | None = Field(
        description="De laatste volledige controle (`volledig=true` of `make verify`); null wanneer die nog nooit draaide."
    )


class OpgeslagenGebeurtenis(Uitvoer):
    """Een gebeurtenis zoals opgeslagen, met haar ketenhash, om buiten de API na te rekenen."""

    versie: int
    topic: str
    opgeslagen: str = Field(description="De opgeslagen bytes (base64), met de ketenhash als laatste lid van het JSON-object.")


class Controlepunt(Uitvoer):
    """Een ondertekend controlepunt van de hashketen van een aggregaat."""

    versie: int
    hash: str
    handtekening: str


class KetenexportPublic(Uitvoer):
    """Alles om één traject offline te controleren (README: Offline controle)."""

    aggregaat_id: str
    algoritme: str
    gebeurtenissen: list[OpgeslagenGebeurtenis]
    controlepunt: Controlepunt | None
    publieke_sleutel: str = Field(description="De Ed25519-sleutel (base64) die het controlepunt ondertekende.")


class AbonnementPublic(Uitvoer):
    """Een abonnement, en hoe de bezorging ervan staat."""

    abonnement_id: UUID
    callback_url: str
    autorisatie_ingesteld: bool = Field(description="Of elke bezorging een Authorization-header meestuurt (de waarde zelf blijft geheim).")
    gebeurtenistypen: list[str] | None = Field(description="Alleen deze soorten; leeg: elke soort.")
    gemeenten: list[Gemeente] | None = Field(description="Alleen deze gemeenten; leeg: elke gemeente die de abonnee mag volgen.")
    bezorgwijze: Literal["gestructureerd", "binair", "batch"]
    status: Literal["actief", "geschorst"] = Field(description="geschorst: na te veel mislukte bezorgingen op rij, of op verzoek.")
    positie: int = Field(description="De logpositie tot waar de ontvanger alles heeft bevestigd.")
    achterstand: int = Field(description="Hoeveel posities het log verder is dan `positie` (ook feiten die niet voor dit abonnement zijn).")
    laatste_succes: datetime | None = Field(description="De laatste bevestigde bezorging (UTC).")
    laatste_fout: str | None = Field(description="Waarom de laatste mislukte bezorging mislukte.")
    laatste_fout_op: datetime | None
    mislukte_pogingen: int = Field(description="Mislukte bezorgingen op rij; bij het maximum wordt het abonnement geschorst.")
    volgende_poging: datetime | None = Field(description="Wanneer na een mislukking opnieuw wordt bezorgd (UTC).")
    aangemaakt: datetime
    gewijzigd: datetime


class AbonnementAangemaaktPublic(AbonnementPublic):
    """Een nieuw abonnement, met het ondertekeningsgeheim dat alleen nu getoond wordt."""

    geheim: str = Field(description="Het geheim waarmee elke bezorging is ondertekend (Standard Webhooks, whsec_...). "
                                    "Alleen nu getoond: bewaar het bij de ontvanger.")


class AbonnementenPublic(Uitvoer):
    """De abonnementen van de gebruiker."""

    abonnementen: list[AbonnementPublic]
