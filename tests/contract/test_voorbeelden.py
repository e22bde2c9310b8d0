"""Every example in the OpenAPI document works: each request example is accepted (2xx) by the real app, sent to a
trajectory in the state it needs, and each response example is valid against its schema."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.openapi import BASISPAD, DOCUMENT
from tests.builders import een_bsn
from tests.contract.gedocumenteerd import controleer_antwoord

DOCUMENT_JSON = json.loads(DOCUMENT.read_text())
OPERATIES = {o["operationId"]: (m, p, o) for p, item in DOCUMENT_JSON["paths"].items() for m, o in item.items()}
GEMEENTEN = ["0505", "0531", "0590", "0642"]  # a regisseur or handhaver of the whole region: the examples name several
JSON_MEDIA = ("application/json", "application/problem+json", "application/cloudevents-batch+json")

# The states a request example needs, built from the other operations' examples (all on one timeline: a
# statushouder in Dordrecht, TVS-profiel on 2025-01-06), plus the few steps no example shows.
Stap = str | tuple[str, dict[str, Any]]
START: list[Stap] = ["start-traject"]
AANGEMELD = [*START, "registreer-kennisgevingen", "registreer-huisvestingen"]
INTAKE = [*AANGEMELD, "registreer-brede-intakes"]
PIP = [*INTAKE, "registreer-pip-vaststellingen"]
THEMAS = ("beroepenorientatie", "werknemerscompetenties", "realistisch_beroepsbeeld", "beroepskansen",
          "beroepscompetenties_verwerven", "netwerk_opbouwen", "werk_vinden", "werkcultuur")
MAP = [*PIP, *(("registreer-map-themas", {"datum": "2025-11-03", "thema": thema}) for thema in THEMAS)]
EXAMENS = [*PIP, *(("registreer-examenresultaten", {"datum": "2026-03-02", "onderdeel": o, "behaald": True,
                                                     "niveau": None if o == "knm" else "B1"})
                   for o in ("lezen", "luisteren", "schrijven", "spreken", "knm"))]
PVT = [("registreer-cursusuren", {"datum": "2025-09-30", "soort": "pvt", "uren": 12, "fase": "uitvoering"})]
GEDIPLOMEERD = [*MAP, "registreer-map-eindgesprekken", *PVT, "registreer-participatieverklaringen", *EXAMENS[len(PIP):],
                "registreer-diplomas"]
Z_ROUTE = [*PIP, "registreer-leerroute-wijzigingen",
           ("registreer-cursusuren", {"datum": "2026-02-27", "soort": "nt2", "uren": 800, "fase": "uitvoering"}),
           ("registreer-cursusuren", {"datum": "2026-02-27", "soort": "participatie", "uren": 800, "fase": "uitvoering"})]
GEMIST = [*PIP, ("registreer-voortgangsgesprekken", {"datum": "2025-11-17", "status": "gemist", "verslag": "Niet verschenen."})]
ZAAK = [*GEMIST, "registreer-handhavingszaken"]
VOORNEMEN = [*ZAAK, "registreer-voornemens"]
ZIENSWIJZE = [*VOORNEMEN, "registreer-zienswijzen"]
BESLOTEN = [*ZIENSWIJZE, "registreer-boetebesluiten"]
OPROEPEN = [*AANGEMELD, *(("registreer-intake-oproepen", {"datum": d, "uiterlijk": u, "schriftelijkeWaarschuwing": w})
                          for d, u, w in (("2025-02-04", "2025-02-14", False), ("2025-02-15", "2025-02-28", True),
                                          ("2025-03-01", "2025-03-14", True)))]
LANG_GELEDEN_GESLOTEN: list[Stap] = [  # five years after the overdracht, the retention period of Bi 9.9 has passed
    ("start-traject", {"datum": "2022-01-10"}),
    ("registreer-overdrachten", {"datum": "2022-03-01"}),
    ("klok", {"datum": "2027-06-01"}),
]
VOORAF: dict[str, list[Stap] | dict[str, list[Stap]]] = {
    "start-traject": [], "zoek-trajecten": [], "historie": [], "neem-abonnement": [], "wijzig-abonnement": ["neem-abonnement"],
    "registreer-coa-overdrachten": START, "registreer-kennisgevingen": START, "registreer-overdrachten": START,
    "registreer-regisseur-toewijzingen": START, "registreer-huisvestingen": [*START, "registreer-kennisgevingen"],
    "registreer-intake-oproepen": AANGEMELD, "registreer-kennismakingsgesprekken": AANGEMELD,
    "registreer-leerbaarheidstoetsen": AANGEMELD, "registreer-leerbaarheidstoets-ontheffingen": AANGEMELD,
    "registreer-brede-intakes": AANGEMELD, "registreer-tolkvoorzieningen": AANGEMELD,
    "registreer-correcties": AANGEMELD,  # its example corrects version 4: the huisvesting
    "registreer-intakes-in-afwezigheid": OPROEPEN,
    "registreer-welkomstprogrammas": INTAKE, "registreer-cursusuren": INTAKE, "registreer-pip-vaststellingen": INTAKE,
    "registreer-pip-wijzigingen": PIP, "registreer-leerroute-wijzigingen": PIP, "registreer-voortgangsgesprekken": PIP,
    "registreer-map-themas": PIP, "registreer-examenresultaten": PIP, "registreer-ontzorgingen": PIP,
    "registreer-maatschappelijke-begeleidingen": PIP, "registreer-termijnverlengingen": PIP, "registreer-vrijstellingen": PIP,
    "registreer-ontheffingen": PIP, "registreer-duo-boetes": PIP, "registreer-verhuizingen": PIP,
    "registreer-afschalingen": [*PIP, ("registreer-cursusuren", {"datum": "2026-03-31", "soort": "nt2", "uren": 600, "fase": "uitvoering"})],
    "registreer-participatieverklaringen": [*PIP, *PVT],
    "registreer-map-eindgesprekken": MAP, "registreer-diplomas": EXAMENS, "registreer-afrondingen": GEDIPLOMEERD,
    "registreer-vervolgoverdrachten": [*GEDIPLOMEERD, "registreer-afrondingen"],
    "registreer-z-route-eindgesprekken": Z_ROUTE, "registreer-certificaten": [*Z_ROUTE, "registreer-z-route-eindgesprekken"],
    "registreer-verwijderingen": {"VerwijderingNaOverlijden": START, "VerwijderingNaBewaartermijn": LANG_GELEDEN_GESLOTEN},
    "registreer-handhavingszaken": GEMIST, "registreer-voornemens": ZAAK, "registreer-bijstandsverlagingen": VOORNEMEN,
    "registreer-zienswijzen": VOORNEMEN, "registreer-termijnverstrijkingen": VOORNEMEN,
    "registreer-boetebesluiten": ZIENSWIJZE, "registreer-afzieningen": ZIENSWIJZE,
    "registreer-bezwaren": BESLOTEN, "registreer-bezwaarbeslissingen": [*BESLOTEN, "registreer-bezwaren"],
}


def _verzoekvoorbeelden() -> list[tuple[str, str]]:
    return [(operatie_id, naam) for operatie_id, (_, _, operatie) in sorted(OPERATIES.items())
            for media in operatie.get("requestBody", {}).get("content", {}).values() for naam in media.get("examples", {})]


def _voorbeeld(operatie_id: str, naam: str | None = None) -> dict[str, Any]:
    voorbeelden = OPERATIES[operatie_id][2]["requestBody"]["content"]["application/json"]["examples"]
    standaard = "tvs_profiel" if operatie_id == "start-traject" else next(iter(voorbeelden))  # the timeline's start
    return dict(voorbeelden[naam or standaard]["value"])


class Verzoeker:
    """Sends one operation as the first role the document names for it, each operation as a user of its own (four eyes)."""

    def __init__(self, api: TestClient, instellingen: Settings, klok: VasteKlok) -> None:
        self.api, self.instellingen, self.klok, self.pad = api, instellingen, klok, dict[str, str]()

    def stuur(self, operatie_id: str, body: dict[str, Any]) -> Any:
        methode, pad, operatie = OPERATIES[operatie_id]
        rol = operatie["x-rollen"][0]
        token = maak_ontwikkeltoken(self.instellingen, rol=rol, gemeenten=GEMEENTEN if rol in ("regisseur", "handhaver") else [],
                                    gebruiker=f"{rol}-abonnee" if "abonnement" in operatie_id else f"{rol}-{operatie_id}")
        antwoord = self.api.request(methode.upper(), BASISPAD + pad.format(**self.pad), json=body,
                                    headers={"Authorization": f"Bearer {token}"})
        if operatie_id == "start-traject" and antwoord.status_code == 201:
            self.pad["trajectId"] = antwoord.json()["trajectId"]
        if operatie_id == "neem-abonnement" and antwoord.status_code == 201:
            self.pad["abonnementId"] = antwoord.json()["abonnementId"]
        if operatie_id == "registreer-handhavingszaken" and antwoord.status_code == 201:
            self.pad["zaaknummer"] = str(antwoord.json()["handhavingszaken"][-1]["nummer"])
        return antwoord

    def vooraf(self, stap: Stap) -> None:
        if isinstance(stap, tuple) and stap[0] == "klok":  # time passes, as for a retention period
            self.klok.tijdstip = datetime.combine(date.fromisoformat(stap[1]["datum"]), time(10), tzinfo=UTC)
            return
        operatie_id, body = (stap, _voorbeeld(stap)) if isinstance(stap, str) else (stap[0], _voorbeeld(stap[0]) | stap[1])
        if operatie_id == "start-traject":
            body["bsn"] = een_bsn()  # the example's person has a trajectory of their own already
        antwoord = self.stuur(operatie_id, body)
        assert antwoord.status_code < 300, f"vooraf {operatie_id}: {antwoord.text}"


@pytest.mark.parametrize(("operatie_id", "naam"), _verzoekvoorbeelden(), ids=[f"{o}:{n}" for o, n in _verzoekvoorbeelden()])
def test_every_request_example_is_accepted_in_the_state_it_needs(
    api: TestClient, instellingen: Settings, klok: VasteKlok, operatie_id: str, naam: str
) -> None:
    # Given a trajectory in the state the example needs
    assert operatie_id in VOORAF, f"{operatie_id}: noem in VOORAF de stappen die de toestand voor zijn voorbeeld maken"
    vooraf = VOORAF[operatie_id]
    verzoeker = Verzoeker(api, instellingen, klok)
    for stap in vooraf[naam] if isinstance(vooraf, dict) else vooraf:
        verzoeker.vooraf(stap)

    # When the documented example is sent
    antwoord = verzoeker.stuur(operatie_id, _voorbeeld(operatie_id, naam))

    # Then it is accepted, with the status and headers the document declares
    assert 200 <= antwoord.status_code < 300, f"{operatie_id} {naam}: {antwoord.status_code} {antwoord.text}"
    methode, pad, _ = OPERATIES[operatie_id]
    controleer_antwoord(methode, BASISPAD + pad, antwoord)


def _media() -> list[tuple[str, dict[str, Any], str]]:
    return [(f"{m.upper()} {p} {plek}", media, plek)
            for p, item in DOCUMENT_JSON["paths"].items() for m, o in item.items()
            for plek, inhoud in [("requestBody", o.get("requestBody", {}))] + [(s, a) for s, a in o["responses"].items()]
            for soort, media in inhoud.get("content", {}).items() if soort in JSON_MEDIA]


def test_every_request_and_response_body_has_an_example() -> None:
    zonder = [naam for naam, media, _ in _media() if not media.get("examples") and "example" not in media]
    assert zonder == [], "zonder voorbeeld (api/voorbeelden.py, VOORBEELD in api/verzoeken/):\n" + "\n".join(zonder)


def _opgelost(voorbeeld: dict[str, Any]) -> Any:
    if "$ref" in voorbeeld:
        voorbeeld = DOCUMENT_JSON["components"]["examples"][voorbeeld["$ref"].rsplit("/", 1)[-1]]
    return voorbeeld["value"]


def test_every_example_is_valid_against_its_schema() -> None:
    # The document is the root of every schema, so that its #/components/schemas/... references resolve.
    ongeldig = []
    for naam, media, _ in _media():
        validator = jsonschema_rs.Draft202012Validator(DOCUMENT_JSON | {"$ref": "#/$defs/dit", "$defs": {"dit": media["schema"]}})
        for voorbeeldnaam, voorbeeld in media.get("examples", {}).items():
            ongeldig += [f"{naam} {voorbeeldnaam}: {fout.message} @ {list(fout.instance_path)}"
                         for fout in validator.iter_errors(_opgelost(voorbeeld))]
    assert ongeldig == [], "\n".join(ongeldig)


def test_refusals_carry_only_the_headers_the_document_declares(api: TestClient, instellingen: Settings, klok: VasteKlok) -> None:
    # Given a trajectory at version 2
    verzoeker = Verzoeker(api, instellingen, klok)
    verzoeker.vooraf("start-traject")
    methode, pad, _ = OPERATIES["registreer-kennisgevingen"]
    url = BASISPAD + pad.format(**verzoeker.pad)
    token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=GEMEENTEN)

    # When a change builds on an older version, or comes without a token
    verouderd = api.post(url, json=_voorbeeld("registreer-kennisgevingen"), headers={"Authorization": f"Bearer {token}", "If-Match": '"1"'})
    anoniem = api.post(url, json=_voorbeeld("registreer-kennisgevingen"))

    # Then each is refused with a declared status and declared headers (ETag: the current version; WWW-Authenticate)
    assert (verouderd.status_code, verouderd.headers["ETag"], anoniem.status_code) == (412, '"2"', 401)
    assert anoniem.headers["WWW-Authenticate"] == "Bearer"
    for antwoord in (verouderd, anoniem):
        controleer_antwoord(methode, BASISPAD + pad, antwoord)
