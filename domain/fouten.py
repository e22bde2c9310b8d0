"""Domain errors: each broken rule has a stable code, a title and its legal basis."""

from __future__ import annotations


class RegelOvertredenError(Exception):
    """A command broke a rule of the law or of SDD policy."""

    code: str = "regel-overtreden"
    titel: str = "De handeling is in strijd met een regel."
    grondslag: str = ""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _regel(code: str, titel: str, grondslag: str) -> type[RegelOvertredenError]:
    return type(
        "".join(deel.capitalize() for deel in code.split("-")) + "Error",
        (RegelOvertredenError,),
        {"code": code, "titel": titel, "grondslag": grondslag, "__doc__": titel},
    )


DatumInDeToekomstError = _regel(
    "datum-in-de-toekomst",
    "Een feit kan niet worden vastgelegd met een datum die nog moet komen.",
    "Awb 3:2 (zorgvuldige vaststelling van feiten)",
)
DatumVoorVorigeStapError = _regel(
    "datum-voor-vorige-stap",
    "De datum ligt voor de datum van een stap waarop deze handeling volgt.",
    "Wi 14-17 (volgorde brede intake, PIP, uitvoering)",
)
InburgeringsplichtAlVastgesteldError = _regel(
    "inburgeringsplicht-al-vastgesteld",
    "De kennisgeving van DUO is voor dit traject al vastgelegd.",
    "Wi 2, Bi 9.1(3)",
)
DoelgroepTegenstrijdigError = _regel(
    "doelgroep-tegenstrijdig",
    "De verblijfsvergunning volgens DUO past niet bij de doelgroep van het traject.",
    "Wi 13(1), Wi 19",
)
HuisvestingAlGeregistreerdError = _regel(
    "huisvesting-al-geregistreerd",
    "De huisvesting in de gemeente is al geregistreerd; een verhuizing is een andere handeling.",
    "Wi 1 (college van de gemeente van huisvesting)",
)
HuisvestingAndereGemeenteError = _regel(
    "huisvesting-andere-gemeente",
    "De huisvesting ligt in een andere gemeente dan die van het traject.",
    "Wi 1 (college van de gemeente van huisvesting)",
)
BredeIntakeAlGehoudenError = _regel(
    "brede-intake-al-gehouden",
    "De brede intake is al gehouden.",
    "Wi 14",
)
BredeIntakeOntbreektError = _regel(
    "brede-intake-ontbreekt",
    "Het PIP wordt vastgesteld op basis van de brede intake; die is nog niet gehouden.",
    "Wi 15(1)",
)
InburgeringsplichtOnbekendError = _regel(
    "inburgeringsplicht-onbekend",
    "Er is nog geen kennisgeving van DUO dat de persoon inburgeringsplichtig is.",
    "Wi 2, Wi 15(1), Bi 5.3(1)",
)
PipAlVastgesteldError = _regel(
    "pip-al-vastgesteld",
    "Het PIP is al vastgesteld; een wijziging van het PIP is een andere handeling.",
    "Wi 15, Wi 11(3)",
)
PipOntbreektError = _regel(
    "pip-ontbreekt",
    "Deze handeling volgt op een vastgesteld PIP; dat is er nog niet.",
    "Wi 15, Wi 17, Bi 5.3(4)",
)
LeerrouteIntensiteitNietVoorGezinsmigrantError = _regel(
    "leerroute-intensiteit-niet-voor-gezinsmigrant",
    "Het college stelt alleen voor asielstatushouders de intensiteit van de leerroute vast.",
    "Wi 15(2)",
)
GeenMapInOnderwijsrouteError = _regel(
    "geen-map-in-onderwijsroute",
    "In de onderwijsroute geldt de module arbeidsmarkt en participatie niet.",
    "Wi 8(3)",
)
LeerrouteOngewijzigdError = _regel(
    "leerroute-ongewijzigd",
    "De nieuwe leerroute is dezelfde als de huidige.",
    "Wi 17(2)",
)
RoutewijzigingNaVensterError = _regel(
    "routewijziging-na-venster",
    "Een andere leerroute kan alleen binnen anderhalf jaar na de start van de inburgeringstermijn "
    "worden vastgesteld, behalve van onderwijsroute naar B1-route of in een bijzonder geval.",
    "Wi 17(2), Bi 5.4(1)-(3)",
)
MaximumRoutewijzigingenError = _regel(
    "maximum-routewijzigingen",
    "Het beleid van SDD staat niet meer routewijzigingen per traject toe.",
    "Beleidsplan inburgering Drechtsteden §3.3",
)
VerwijtbaarheidOntbreektError = _regel(
    "verwijtbaarheid-ontbreekt",
    "Een boete vraagt een oordeel over de verwijtbaarheid.",
    "Awb 5:41, Bi 7.1(4)",
)
NietVerwijtbaarError = _regel(
    "niet-verwijtbaar",
    "Geen boete voor een overtreding die niet aan de overtreder kan worden verweten.",
    "Awb 5:41",
)
GeenBoeteOpLeerrouteVoorGezinsmigrantError = _regel(
    "geen-boete-op-leerroute-gezinsmigrant",
    "Een gezins- of overige migrant krijgt geen boete voor onvoldoende inspanning in de leerroute.",
    "Wi 15(2), Wi 23",
)
BoetegrondPastNietBijArtikelError = _regel(
    "boetegrond-past-niet-bij-artikel",
    "De gedraging valt niet onder het gekozen artikel.",
    "Wi 22, Wi 23",
)
UitzonderlijkGevalNietGemotiveerdError = _regel(
    "uitzonderlijk-geval-niet-gemotiveerd",
    "Een boete voor een asielstatushouder vraagt een motivering waarom dit een uitzonderlijk geval is.",
    "HvJ EU C-158/23 (2025), ABRvS 9 juli 2025",
)
GeenGemistGesprekError = _regel(
    "geen-gemist-gesprek",
    "Er is geen gemist voortgangsgesprek zonder geldige reden waarvoor nog geen boete is opgelegd.",
    "Wi 23, Awb 5:43",
)
BoetemaximumBereiktError = _regel(
    "boetemaximum-bereikt",
    "Het maximum aan boetes van het college in deze inburgeringstermijn is bereikt.",
    "Bi 7.1(5)",
)
TrajectAfgeslotenError = _regel(
    "traject-afgesloten",
    "Het traject is afgesloten; alleen een correctie kan nog worden vastgelegd.",
    "Wi 6, Wi 4, Wi 5 (einde van de inburgeringsplicht)",
)
AlleenAsielstatushoudersError = _regel(
    "alleen-asielstatushouders",
    "Dit onderdeel is er alleen voor asielstatushouders.",
    "Wi 13, Wi 16, PW 56a; beleidsplan tabel 1",
)
AlVastgelegdError = _regel(
    "al-vastgelegd",
    "Dit feit is voor dit traject al vastgelegd.",
    "Awb 3:2",
)
BredeIntakeOproepError = _regel(
    "brede-intake-oproep",
    "Een oproep voor de brede intake volgt op een verstreken oproep, met schriftelijke waarschuwing, "
    "tot ten hoogste drie oproepen.",
    "Wi 14(1)-(2)",
)
IntakeInAfwezigheidTeVroegError = _regel(
    "intake-in-afwezigheid-te-vroeg",
    "De brede intake in afwezigheid volgt pas na de derde oproep en het verstrijken van de termijn ervan.",
    "Wi 14(2)",
)
WelkomstprogrammaBuitenPeriodeError = _regel(
    "welkomstprogramma-buiten-periode",
    "Het welkomstprogramma loopt tussen de brede intake en de vaststelling van het PIP.",
    "Beleidsplan inburgering Drechtsteden §3.2",
)
AanbodAlleenAsielstatushoudersError = _regel(
    "aanbod-alleen-asielstatushouders",
    "Het PIP van een gezins- of overige migrant kan dit aanbod niet bevatten.",
    "Wi 13, Wi 16, PW 56a; beleidsplan tabel 1",
)
AfschalenNietMogelijkError = _regel(
    "afschalen-niet-mogelijk",
    "Afschalen naar A2 kan alleen in de B1-route, na 600 uur NT2-les en met aangetoonde inspanning.",
    "Wi 17(3), Bi 5.5(1)",
)
CursusurenBuitenFaseError = _regel(
    "cursusuren-buiten-fase",
    "Uren tellen mee tijdens de brede intake (tot het PIP) of in de uitvoering (vanaf het PIP).",
    "Bi 3.1(5), Bi 3.2(3), Bi 3.14(6), Bi 5.3(5)",
)
PvtUrenOnvoldoendeError = _regel(
    "pvt-uren-onvoldoende",
    "De participatieverklaring wordt ondertekend na ten minste 12 uur participatieverklaringstraject.",
    "Bi 3.1",
)
MapNietAfgerondError = _regel(
    "map-niet-afgerond",
    "Het eindgesprek MAP volgt op alle acht thema's, en de MAP geldt niet in de onderwijsroute.",
    "Bi 3.2, Wi 8(3)",
)
VerkeerdeLeerrouteError = _regel(
    "verkeerde-leerroute",
    "Deze stap hoort niet bij de leerroute van het traject.",
    "Wi 6(2), Bi 3.14",
)
ZRouteUrenOnvoldoendeError = _regel(
    "z-route-uren-onvoldoende",
    "Het eindgesprek Z-route volgt op 800 uur les (en voor asielstatushouders 800 uur participatie).",
    "Bi 3.14",
)
PlichtNietVoldaanError = _regel(
    "plicht-niet-voldaan",
    "De inburgeringsplicht is voldaan na PVT, MAP (behalve onderwijsroute) en diploma of certificaat.",
    "Wi 6(1)-(2)",
)
BegeleidingVoorInschrijvingError = _regel(
    "begeleiding-voor-inschrijving",
    "Maatschappelijke begeleiding begint op de dag van inschrijving in de BRP van de gemeente van huisvesting.",
    "Wi 13(3), Bi 5.1",
)
TermijnVerlengingError = _regel(
    "termijn-verlenging",
    "Een verlenging door DUO legt een latere einddatum vast dan de huidige.",
    "Wi 12, Bi 4.5",
)
DuoBoeteBedragError = _regel(
    "duo-boete-bedrag",
    "Het bedrag past niet bij de DUO-boete: Wi 24 EUR 340, Wi 25 ten hoogste EUR 1.000.",
    "Bi 7.2",
)
VerhuizingError = _regel(
    "verhuizing",
    "Een verhuizing binnen de regio gaat naar een andere van de vier gemeenten.",
    "Wi 1, Bi 5.3(3)",
)


class HandhavingszaakNietGevondenError(LookupError):
    """Dit traject heeft geen handhavingszaak met dit nummer."""


AwbVolgordeError = _regel(
    "awb-volgorde",
    "De stappen van een boete volgen de Awb: rapport, voornemen, zienswijze of verstreken termijn, besluit, bezwaar.",
    "Awb 5:48-5:53, 6:7, 7:1",
)
BeslistermijnVerstrekenError = _regel(
    "beslistermijn-verstreken",
    "De boete moet binnen 13 weken na de dagtekening van het rapport worden opgelegd.",
    "Awb 5:51(1)",
)
BijstandAlVerlaagdError = _regel(
    "bijstand-al-verlaagd",
    "Geen boete voor een gedraging waarvoor de bijstand al is verlaagd.",
    "Wi 27, PW 18",
)
Wi22TeVroegError = _regel(
    "wi22-te-vroeg",
    "Een boete voor de brede intake volgt pas op het niet verschijnen na de herhaalde oproep met waarschuwing.",
    "Wi 14(1), Wi 22",
)
CorrectieOngeldigError = _regel(
    "correctie-ongeldig",
    "Alleen een vastgelegd feit kan worden gecorrigeerd, en alleen in de velden die daarvoor openstaan.",
    "AVG art. 16, Awb 3:2",
)
VierOgenError = _regel(
    "vier-ogen",
    "Wie het rapport opmaakte, neemt het besluit niet; wie het besluit nam, beslist niet op het bezwaar.",
    "Awb 7:5(1); BIO 5.03 (functiescheiding)",
)
VoorInwerkingtredingError = _regel(
    "voor-inwerkingtreding",
    "De Wet inburgering 2021 geldt voor feiten vanaf 1 januari 2022; een eerdere datum hoort niet bij dit traject.",
    "Wi 2021 (Stb. 2021, 38), in werking op 1 januari 2022",
)
CorrectieTegenstrijdigError = _regel(
    "correctie-tegenstrijdig",
    "Na de correctie zou de geschiedenis een regel breken (volgorde van data, een boete zonder gemist gesprek).",
    "Awb 3:2, Wi 14-17, Awb 5:48-5:53",
)
CorrectieNietToegestaanError = _regel(
    "correctie-niet-toegestaan",
    "Een feit wordt gecorrigeerd door de rol die het vastlegde; een besluit wordt niet gecorrigeerd maar herzien.",
    "Awb 4:6, 6:19, 7:11 (herziening van besluiten); BIO 5.03 (functiescheiding)",
)
DezelfdeGedragingError = _regel(
    "dezelfde-gedraging",
    "Voor deze gedraging loopt al een handhavingszaak, of is er al over beslist.",
    "Awb 5:43, Awb 5:44",
)
OntzorgenBuitenPw56aError = _regel(
    "ontzorgen-buiten-pw56a",
    "Financieel ontzorgen geldt voor een inburgeringsplichtige met een asielvergunning voor bepaalde tijd, "
    "voor huur, gas, water, stroom en de zorgverzekering.",
    "PW 56a(1)",
)
BewaartermijnLooptNogError = _regel(
    "bewaartermijn-loopt-nog",
    "De bewaartermijn van deze persoonsgegevens is nog niet verstreken.",
    "Bi 9.9 (bewaren tot vijf, voor de gegevens van lid 2 vijftig jaar na het einde van de inburgeringsplicht)",
)
PersoonsgegevensVerwijderdError = _regel(
    "persoonsgegevens-verwijderd",
    "De persoonsgegevens van dit traject zijn verwijderd; er kan niets meer aan worden toegevoegd.",
    "Bi 9.9, AVG art. 5(1)(e) (opslagbeperking)",
)
OverlijdensdatumOntbreektError = _regel(
    "overlijdensdatum-ontbreekt",
    "Verwijderen wegens overlijden vraagt de datum van overlijden.",
    "Bi 9.9(1)",
)
NaOverlijdenError = _regel(
    "feit-na-overlijden",
    "Er zijn feiten vastgelegd met een datum na de opgegeven overlijdensdatum.",
    "Bi 9.9(1); Awb 3:2 (zorgvuldige vaststelling van feiten)",
)
