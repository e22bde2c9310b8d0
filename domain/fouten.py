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
