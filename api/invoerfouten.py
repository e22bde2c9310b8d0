"""Why a value was refused, in Dutch: each kind of pydantic error as a reason that names what was expected
and, where that helps, gives an example. The API's own errors (PydanticCustomError) are written in Dutch
where they are raised and keep their text."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, get_args

from pydantic_core.core_schema import ErrorType

log = logging.getLogger("inburgering.api")

PYDANTIC_FOUTSOORTEN = frozenset(get_args(ErrorType))
ALGEMENE_REDEN = "Ongeldige waarde; zie de beschrijving van dit veld in de API-documentatie."
DATUM = "Verwacht een datum als JJJJ-MM-DD, bijvoorbeeld 2025-03-01."
GETAL = "Verwacht een geheel getal, bijvoorbeeld 12."
LIJST = 'Verwacht een lijst (JSON-array), bijvoorbeeld ["a", "b"].'
OBJECT = 'Verwacht een JSON-object met velden, bijvoorbeeld {"datum": "2025-03-01"}.'
UUID = "Verwacht een UUID, bijvoorbeeld 3fa85f64-5717-4562-b3fc-2c963f66afa6."

# A pattern says little to a reader; these say what it asks for (the expressions as declared in the schemas).
VOORBEELDEN = {
    r"^(0|[1-9][0-9]{0,3})\.[0-9]{2}$": "een bedrag in euro's met twee decimalen, bijvoorbeeld 340.00",
    r"^[0-9]{4}$": "een CBS-gemeentecode van 4 cijfers, bijvoorbeeld 0505",
    r'^(?:\*|(?:W/)?"?([0-9]{1,9})"?)$': 'de ETag uit een eerder antwoord, bijvoorbeeld "3", of *',
    r"^[A-Za-z0-9_-]+=*$": "de cursor uit `volgende` van de vorige pagina",
    r"^[a-z0-9][a-z0-9.-]*$": "kleine letters, cijfers, punten en streepjes, bijvoorbeeld nl.wet-inburgering.traject.pip-vastgesteld",
}
# What a date parser says about a date that is well formed but does not exist (the rest is said by DATUM).
DATUMFOUTEN = {
    "month value is outside expected range of 1-12": "de maand ligt niet tussen 01 en 12",
    "day value is outside expected range": "die dag bestaat niet in die maand",
}


def _keuzes(verwacht: Any) -> str:
    # pydantic lists the choices as "'a', 'b' or 'c'"; an enum member as "<Soort.LID: 'lid'>".
    tekst = re.sub(r"<[\w.]+: ('[^']*')>", r"\1", str(verwacht))
    voor, scheiding, laatste = tekst.rpartition(" or ") if " or " in tekst else tekst.rpartition(", ")
    return f"{voor} of {laatste}" if scheiding else tekst


def _aantal(n: Any, enkelvoud: str, meervoud: str) -> str:
    return f"{n} {enkelvoud if n == 1 else meervoud}"


def _datum(ctx: Mapping[str, Any]) -> str:
    waarom = DATUMFOUTEN.get(str(ctx.get("error", "")))
    return f"Geen bestaande datum: {waarom}. {DATUM}" if waarom else DATUM


def _patroon(ctx: Mapping[str, Any]) -> str:
    patroon = ctx.get("pattern", "")
    voorbeeld = VOORBEELDEN.get(patroon)
    return f"Verwacht {voorbeeld} (patroon {patroon})." if voorbeeld else f"Heeft niet de vereiste vorm: patroon {patroon}."


def _eigen_tekst(ctx: Mapping[str, Any]) -> str:
    # A ValueError from one of the API's validators: its text is Dutch, pydantic only put "Value error, " before it.
    tekst = str(ctx.get("error", "")).strip().rstrip(".")
    return f"{tekst[:1].upper()}{tekst[1:]}." if tekst else ALGEMENE_REDEN


REDENEN: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "Verplicht veld.",
    "extra_forbidden": lambda ctx: "Onbekend veld; laat het weg of controleer de naam (lowerCamelCase, zoals in de API-documentatie).",
    "json_invalid": lambda ctx: "Geen geldige JSON; controleer aanhalingstekens, komma's en haakjes.",
    "model_type": lambda ctx: OBJECT,
    "model_attributes_type": lambda ctx: OBJECT,
    "dict_type": lambda ctx: OBJECT,
    "union_tag_invalid": lambda ctx: f"Onbekende waarde {ctx.get('tag')!r} van {ctx.get('discriminator')}; kies uit: {_keuzes(ctx.get('expected_tags'))}.",
    "union_tag_not_found": lambda ctx: f"Het veld {ctx.get('discriminator')} ontbreekt; het zegt welk soort verzoek dit is.",
    "string_type": lambda ctx: 'Verwacht tekst tussen aanhalingstekens, bijvoorbeeld "tekst".',
    "string_too_short": lambda ctx: f"Ten minste {_aantal(ctx.get('min_length'), 'teken', 'tekens')}; laat het veld weg als u niets te melden hebt.",
    "string_too_long": lambda ctx: f"Ten hoogste {_aantal(ctx.get('max_length'), 'teken', 'tekens')}.",
    "string_pattern_mismatch": _patroon,
    "int_type": lambda ctx: "Verwacht een geheel getal zonder aanhalingstekens of decimalen, bijvoorbeeld 12.",
    "int_parsing": lambda ctx: GETAL,
    "int_from_float": lambda ctx: "Verwacht een geheel getal zonder decimalen, bijvoorbeeld 12.",
    "int_parsing_size": lambda ctx: "Dit getal is te groot.",
    "bool_type": lambda ctx: "Verwacht true of false, zonder aanhalingstekens.",
    "bool_parsing": lambda ctx: "Verwacht true of false.",
    "greater_than_equal": lambda ctx: f"Ten minste {ctx.get('ge')}.",
    "less_than_equal": lambda ctx: f"Ten hoogste {ctx.get('le')}.",
    "literal_error": lambda ctx: f"Kies uit: {_keuzes(ctx.get('expected'))}.",
    "enum": lambda ctx: f"Kies uit: {_keuzes(ctx.get('expected'))}.",
    "list_type": lambda ctx: LIJST,
    "frozen_set_type": lambda ctx: LIJST,
    "set_item_not_hashable": lambda ctx: "Verwacht een lijst van enkelvoudige waarden, zonder objecten of lijsten erin.",
    "too_short": lambda ctx: f"Ten minste {_aantal(ctx.get('min_length'), 'waarde', 'waarden')}.",
    "too_long": lambda ctx: f"Ten hoogste {_aantal(ctx.get('max_length'), 'waarde', 'waarden')}.",
    "date_type": _datum,
    "date_parsing": _datum,
    "date_from_datetime_parsing": _datum,
    "date_from_datetime_inexact": lambda ctx: f"Verwacht een datum zonder tijd. {DATUM}",
    "uuid_type": lambda ctx: UUID,
    "uuid_parsing": lambda ctx: UUID,
    "value_error": _eigen_tekst,
    "assertion_error": _eigen_tekst,
}


def reden(fout: Mapping[str, Any]) -> str:
    """The Dutch reason for one error of pydantic's `errors()`."""
    soort = fout["type"]
    if soort not in PYDANTIC_FOUTSOORTEN:
        return str(fout["msg"])  # the API's own error, raised with a Dutch text
    maak = REDENEN.get(soort)
    if maak is None:
        # tests/api/test_nederlandse_fouten.py names each kind the schemas can raise; this one slipped past.
        log.warning("geen Nederlandse reden voor de pydanticfout %s bij %s", soort, fout.get("loc"))
        return ALGEMENE_REDEN
    return maak(fout.get("ctx") or {})
