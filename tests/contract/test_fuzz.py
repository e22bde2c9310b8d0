"""Stateful fuzzing: schemathesis chains requests through the served app as users of every role would (start
a trajectory, record facts on it, read it and the read models back), on both stores: no 5xx, every answer as
documented. A fixed budget (about a minute per store); a failure lists every distinct finding with a curl
command to reproduce it. Skip it while iterating with `-m "not fuzz"`."""

from __future__ import annotations

import copy
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from tests.api.test_autorisatiematrix import GEWEIGERD, ROLLEN, TABEL, soort
from tests.builders import een_bsn, kennisgeving_start, tvs_start
from tests.contract.test_api_contract import zonder_wachten
from tests.contract.test_api_contract import schema as gedocumenteerd  # also registers the custom format "bsn"

CONTROLES = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
# Fixed budgets, so a run costs the same on every machine: per store, rounds x scenarios x steps. Each round
# has its own fixed seed, so every run draws the same requests (only the ids the app makes differ). The draws
# follow the document, so any change to it draws differently: with 10 rounds PostgreSQL's run sometimes reached
# fewer than five kinds of command, which says nothing about the app; both stores get the same 16.
STAPPEN = 25
BUDGET = {"sqlite": (16, 5), "postgres": (16, 5)}
GEMEENTEN = ["0505", "0531", "0590", "0642"]
BASIS = "/api/v1"

# A date is drawn as a real date in the documented years, mostly between the law's start and the fixed clock
# (a fact cannot lie ahead). The pattern-driven draw (2031-47-92) was refused by the format nine times in
# ten, and one refused draw discards a whole scenario.
schemathesis.openapi.format("datum", st.one_of(
    st.dates(date(2022, 1, 1), date(2026, 6, 1)), st.dates(date(1900, 1, 1), date(2999, 12, 31))
).map(date.isoformat))
# Free text that no pattern constrains gets hostile characters often (NUL, escape, DEL, C1, separators, BOM),
# not once in thousands of draws: one such string accepted and stored once broke every later read.
VIJANDIG = st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\ufeff"])
schemathesis.openapi.format("vrije-tekst", st.one_of(
    st.text(min_size=1, max_size=20),
    st.builds(lambda voor, teken, na: voor + teken + na, st.text(max_size=8), VIJANDIG, st.text(max_size=8)),
))


class Gebruikers:
    """Development tokens of every role. Step n of a scenario acts as the next role that may call the operation
    (the table of tests/api/test_autorisatiematrix.py); every seventh as one that may not (403), and every fifth
    regisseur or handhaver works for Dordrecht only (another gemeente's trajectory: 404)."""

    def __init__(self, instellingen: Settings) -> None:
        self.tokens = {
            (rol, alle): maak_ontwikkeltoken(
                instellingen, rol=rol, gemeenten=GEMEENTEN if alle or rol not in ("regisseur", "handhaver") else GEMEENTEN[:1],
                gebruiker=f"fuzz-{rol}" + ("" if alle else "-0505"),
            )
            for rol in ROLLEN for alle in (True, False)
        }

    def kop(self, rol: str, alle: bool = True) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[(rol, alle)]}"}

    def voor(self, stap: int, methode: str, pad: str) -> dict[str, str]:
        rij = TABEL[soort(methode.lower(), pad)]
        mag = [rol for rol in ROLLEN if rij[rol][0] != GEWEIGERD]
        rollen = ([rol for rol in ROLLEN if rol not in mag] if stap % 7 == 0 else []) or mag
        return self.kop(rollen[stap % len(rollen)], alle=stap % 5 != 0)


def zaai(api: TestClient, gebruikers: Gebruikers) -> tuple[list[str], list[int]]:
    """Trajectories in several states to start from: just started (two doelgroepen), with a PIP, with a
    handhavingszaak, and closed by a vrijstelling. Returns their ids and the zaak's number."""
    regisseur, handhaver = gebruikers.kop("regisseur"), gebruikers.kop("handhaver")

    def post(pad: str, body: dict[str, Any], kop: dict[str, str]) -> str:
        antwoord = api.post(BASIS + pad, json=body, headers=kop)
        assert antwoord.status_code == 201, f"{pad}: {antwoord.text}"
        return antwoord.headers["Location"].removeprefix(BASIS)

    gestart = post("/trajecten", tvs_start(een_bsn(), "0505"), regisseur)
    gezinsmigrant = post("/trajecten", kennisgeving_start(een_bsn(), "0642"), regisseur)
    met_pip = post("/trajecten", tvs_start(een_bsn(), "0531", "2025-01-06"), regisseur)
    post(f"{met_pip}/kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}, regisseur)
    post(f"{met_pip}/huisvestingen", {"datum": "2025-02-03", "gemeente": "0531"}, regisseur)
    post(f"{met_pip}/brede-intakes", {"datum": "2025-02-20", "onderwerpen": {"opleiding": "Middelbare school"}, "gezondheid": {}}, regisseur)
    post(f"{met_pip}/pip-vaststellingen", {
        "dagtekening": "2025-04-10", "leerroute": "b1", "leerrouteUrenPerWeek": 16, "pvtUren": 12, "mapUren": 40,
        "aantalVoortgangsgesprekken": 4, "ondersteuning": "Vluchtelingenwerk", "aanbod": ["pvt", "map"],
    }, regisseur)
    post(f"{met_pip}/voortgangsgesprekken", {"datum": "2025-11-17", "status": "gemist", "verslag": "Niet verschenen."}, regisseur)
    zaak = post(f"{met_pip}/handhavingszaken", {
        "datum": "2025-11-17", "artikel": "wi23", "grond": "voortgangsgesprek_gemist", "rapportdatum": "2025-11-18",
        "rapport": "Niet verschenen, niet afgemeld.",
    }, handhaver)
    vrijgesteld = post("/trajecten", tvs_start(een_bsn(), "0590"), regisseur)
    post(f"{vrijgesteld}/vrijstellingen", {"datum": "2025-03-01", "grond": "Diploma"}, regisseur)
    trajecten = [gestart, gezinsmigrant, met_pip, vrijgesteld]
    return [pad.rsplit("/", 1)[-1] for pad in trajecten], [int(zaak.rsplit("/", 1)[-1])]


def voor_de_fuzzer(document: dict[str, Any], trajecten: list[str], zaken: list[int]) -> dict[str, Any]:
    """The document as the fuzzer reads it: trajectory and zaak ids drawn from the seeded ones, and the links a
    client follows (from a started or read trajectory to every command and read on it, with its ETag as
    If-Match; from a command back to the trajectory and the fact it recorded; from a list to its items and
    next page). Only how values are drawn changes: every documented constraint stays."""
    document = copy.deepcopy(document)
    _herschrijf(document, trajecten, zaken)
    operaties = {o["operationId"]: (pad, o) for pad, ops in document["paths"].items() for o in ops.values()}
    in_traject = [naam for naam, (pad, _) in operaties.items() if pad.startswith("/trajecten/{trajectId}")]
    commando = {naam for naam in in_traject if naam.startswith("registreer-")}

    def links(bron: str, status: str, doelen: dict[str, dict[str, str]]) -> None:
        antwoord = operaties[bron][1]["responses"][status]
        antwoord.setdefault("links", {}).update(
            {doel: {"operationId": doel, "parameters": parameters} for doel, parameters in doelen.items()}
        )

    def naar(doel: str, traject: str, zaak: str | None = None) -> dict[str, str]:
        parameters = {"path.trajectId": traject}
        if zaak is not None and "{zaaknummer}" in operaties[doel][0]:
            parameters["path.zaaknummer"] = zaak
        if doel in commando:
            parameters["header.If-Match"] = "$response.header.ETag"
        return parameters

    traject, zaak = "$response.body#/trajectId", "$response.body#/handhavingszaken/*/nummer"
    links("start-traject", "201", {doel: naar(doel, traject, zaak) for doel in in_traject})
    links("lees-traject", "200", {doel: naar(doel, traject, zaak) for doel in in_traject if doel != "lees-traject"})
    links("lees-audittrail", "200", {"lees-auditregel": naar("lees-auditregel", "$request.path.trajectId") | {"path.auditId": "$response.body#/audittrail/*/uuid"}})
    for naam in commando:
        links(naam, "201", {
            "lees-traject": naar("lees-traject", traject),
            "lees-gebeurtenis": naar("lees-gebeurtenis", traject) | {"path.versie": "$response.header.Location#regex:/gebeurtenissen/([0-9]+)$"},
        })
    for lijst, items in (("lijst-trajecten", "trajecten"), ("lijst-signaleringen", "signaleringen")):
        links(lijst, "200", {
            "lees-traject": {"path.trajectId": f"$response.body#/{items}/*/trajectId"},
            lijst: {"query.cursor": "$response.body#/volgende"},
        })
    links("volg-gebeurtenissen", "200", {"lees-gebeurtenis": {
        "path.trajectId": "$response.body#/gebeurtenissen/*/data/trajectId", "path.versie": "$response.body#/gebeurtenissen/*/data/versie",
    }})
    # An operation takes part only through a link; these reads feed nothing, so they point at the list.
    for naam in ("controleer-integriteit", "lijst-projecties", "zoek-trajecten", "historie",
                 "rapportage-instroom", "rapportage-leerroutemix", "rapportage-spuk", "rapportage-handhaving"):
        links(naam, "200", {"lijst-trajecten": {}})
    return document


def _verzoekschemas(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema a request is drawn from, with where it goes: parameters by location, bodies, and the
    components they refer to. Response schemas stay as documented: the answers are checked against them."""
    componenten, gezien = document["components"]["schemas"], set()
    te_doen: list[tuple[str, Any]] = []
    for item in document["paths"].values():
        for operatie in item.values():
            te_doen += [(p["in"], p) for p in operatie.get("parameters", [])]
            te_doen += [("body", m["schema"]) for m in operatie.get("requestBody", {}).get("content", {}).values()]
    while te_doen:
        plaats, schema = te_doen.pop()
        if isinstance(schema, list):
            te_doen += [(plaats, waarde) for waarde in schema]
        elif isinstance(schema, dict):
            yield plaats, schema
            naam = schema.get("$ref", "").removeprefix("#/components/schemas/")
            if naam in componenten and naam not in gezien:
                gezien.add(naam)
                te_doen.append((plaats, componenten[naam]))
            te_doen += [(plaats, waarde) for sleutel, waarde in schema.items() if sleutel != "$ref"]


def _herschrijf(document: dict[str, Any], trajecten: list[str], zaken: list[int]) -> None:
    for plaats, schema in _verzoekschemas(document):
        if schema.get("in") == "path" and schema.get("name") == "trajectId":
            schema["schema"] = schema["schema"] | {"enum": trajecten}
        elif schema.get("in") == "path" and schema.get("name") == "zaaknummer":
            schema["schema"] = schema["schema"] | {"enum": zaken}
        elif schema.get("in") == "header" and schema.get("name") == "If-Match":
            schema["schema"] = schema["schema"] | {"enum": ["*"]}  # a real ETag comes through a link; a made-up one is a 412
        elif schema.get("format") == "date":
            schema["format"] = "datum"  # the pattern stays: negative cases still break it
        elif (plaats != "header" and schema.get("type") == "string" and not {"format", "pattern", "enum", "const"} & set(schema)
              and schema.get("minLength", 0) <= 1 and schema.get("maxLength", 20) >= 20):
            schema["format"] = "vrije-tekst"


class Bediend:
    """The app as the fuzzer reaches it. The test's TestClient runs its lifespan (schemathesis would keep one
    open until the process ends); an exception behind a 500 is kept for the report instead of ending the run."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.uitzonderingen: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return  # declined: the TestClient runs the lifespan
        try:
            await self.app(scope, receive, send)
        except Exception:  # answered 500 by Starlette already; not_a_server_error reports it
            self.uitzonderingen.append(traceback.format_exc(limit=-8))


@pytest.mark.fuzz
def test_chained_requests_of_every_role_get_no_5xx_and_documented_answers(instellingen: Settings, api: TestClient) -> None:
    """The conftest's `api` runs the app's lifespan on the test's store; the fuzzer reaches the same app."""
    rondes, scenarios = BUDGET["postgres" if instellingen.database_url else "sqlite"]
    gebruikers = Gebruikers(instellingen)
    schema = schemathesis.openapi.from_dict(voor_de_fuzzer(gedocumenteerd.raw_schema, *zaai(api, gebruikers)))
    schema.app = bediend = Bediend(api.app)
    bevindingen: dict[tuple[Any, ...], str] = {}
    fouten: list[str] = []
    antwoorden: Counter[tuple[str, int]] = Counter()

    class Fuzzer(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.stap = 0  # per scenario: a replayed scenario acts as the same users

        def step(self, invoer: Any) -> Any:
            try:
                return super().step(invoer)
            except Exception:  # Hypothesis may replay it as "inconsistent"; kept so it cannot pass for one
                fouten.append(traceback.format_exc(limit=-8))
                raise

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            self.stap += 1
            zonder_wachten(case)
            return {"headers": gebruikers.voor(self.stap, case.method, case.path)}

        def validate_response(self, response: Any, case: schemathesis.Case, additional_checks: Any = None, **kwargs: Any) -> None:
            antwoorden[(case.operation.label, response.status_code)] += 1
            try:
                case.validate_response(response, checks=CONTROLES, transport_kwargs=kwargs or None, recorder=self.recorder)
            except FailureGroup as groep:  # kept, so one run shows every distinct finding
                sleutel = (case.operation.label, response.status_code, *sorted(fout.title for fout in groep.exceptions))
                bevindingen.setdefault(sleutel, str(groep))

    # Hypothesis replays the choices of earlier scenarios and expects the same draws; the store moved on since
    # (a BSN started before is now a 409), so it may stop a round as "inconsistent": the next round goes on.
    begin, afgebroken = time.monotonic(), 0
    for ronde in range(rondes):
        try:
            seed(ronde)(Fuzzer).run(settings=settings(
                max_examples=scenarios, stateful_step_count=STAPPEN, database=None, deadline=None,
                phases=[Phase.generate], suppress_health_check=list(HealthCheck),
            ))
        except FlakyStrategyDefinition:
            afgebroken += 1
    print(f"\n{sum(antwoorden.values())} verzoeken in {time.monotonic() - begin:.0f} s, {rondes} rondes "
          f"({afgebroken} door Hypothesis afgebroken); per operatie en status:")
    for (operatie, status), aantal in sorted(antwoorden.items()):
        print(f"  {aantal:4} x {status} {operatie}")

    assert not bevindingen, "\n\n".join(bevindingen.values()) + "\n\n" + "\n".join(bediend.uitzonderingen)
    assert not fouten, "\n".join(fouten)
    # The run counts only if it got past authentication into the state: commands on existing trajectories.
    geslaagd = {operatie for (operatie, status) in antwoorden if status in (200, 201)}
    assert "POST /trajecten" in geslaagd
    assert len({o for o in geslaagd if o.startswith("POST /trajecten/{trajectId}/")}) >= 5, sorted(geslaagd)
    assert {"GET /trajecten", "GET /signaleringen", "GET /gebeurtenissen"} <= geslaagd, sorted(geslaagd)
