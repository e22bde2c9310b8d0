"""Every request body that becomes a command carries that command's fields: none it does not take, every one it requires."""

from __future__ import annotations

import dataclasses

import pytest

from api import schemas
from api.verzoeken import duo, handhaving, intake, ondersteuning, pip, start, uitvoering, verloop  # noqa: F401  # every request body
from domain import commandos


def _alle(klasse: type) -> list[type]:
    return [s for sub in klasse.__subclasses__() for s in [sub, *_alle(sub)]]


# A body that is a command; bases that only share fields (PipInhoud, DatumCreate) name none themselves.
SCHEMAS = {schema: schema.COMMANDO for schema in _alle(schemas.CommandoSchema) if "COMMANDO" in vars(schema)}
SCHEMAS |= {start.TrajectStartNaTvsProfiel: commandos.StartNaTvsProfiel,
            start.TrajectStartNaKennisgeving: commandos.StartNaKennisgeving,
            uitvoering.VoortgangsgesprekCreate: commandos.RegistreerVoortgangsgesprek}
UIT_HET_PAD = {"zaaknummer"}  # the handhavingszaak a step belongs to is named in its URL
KEUZE_VAN_DE_ROUTE = {"aanleiding"}  # which start, the discriminator of the start body
VERTAALD = {"status": "gevoerd"}  # a gesprek's status on the wire, a yes/no in the command


def test_every_command_has_a_body() -> None:
    alle = {c for c in _alle(commandos.Commando) if c.__module__.startswith(f"{commandos.__name__}.")} - {commandos.ZaakCommando}
    assert alle - set(SCHEMAS.values()) == set()


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.__name__)
def test_a_body_carries_only_its_commands_fields_every_required_one_and_leaves_optional_only_what_the_command_defaults(
    schema: type,
) -> None:
    commando = SCHEMAS[schema]
    velden = {veld.name: veld for veld in dataclasses.fields(commando)}
    verplicht = {naam for naam, veld in velden.items()
                 if veld.default is dataclasses.MISSING and veld.default_factory is dataclasses.MISSING}
    body = {VERTAALD.get(naam, naam): naam for naam in schema.model_fields if naam not in KEUZE_VAN_DE_ROUTE}
    pad = UIT_HET_PAD if issubclass(commando, commandos.ZaakCommando) else set()
    assert set(body) <= set(velden), f"{schema.__name__} has fields {commando.__name__} does not take"
    assert verplicht <= set(body) | pad, f"{schema.__name__} misses what {commando.__name__} requires"
    for naam in verplicht & set(body):
        assert schema.model_fields[body[naam]].is_required(), f"{schema.__name__}.{body[naam]} is optional, {commando.__name__}.{naam} is not"
