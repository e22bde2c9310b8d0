"""Replay: rebuild every read model from the events into a scratch store and compare it with the live one.

The scratch store is a temporary SQLite file or a PostgreSQL schema of its own, removed afterwards
whatever happens. Read models are compared only at equal positions in the log; when the log keeps
moving the outcome says so instead of reporting differences that are only lag. An event that a read
model cannot take stops that read model (projections/projector.py): the outcome names it with its
position, in the replay and in the live read models, instead of ending in a traceback.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from adapters.leesmodellen import (
    RAPPORT_KOLOMMEN,
    RAPPORTTOTAAL_KOLOMMEN,
    SIGNALERING_KOLOMMEN,
    SLEUTELS,
    TABELLEN,
    TRAJECT_KOLOMMEN,
    PostgresLeesmodelopslag,
    SqliteLeesmodelopslag,
    SqlLeesmodelopslag,
)
from adapters.settings import Settings
from domain.application import Inburgering
from projections.projector import Projector, Storing, Voortgang

# Per table: its columns in the order of its rows (SELECT *, so the CREATE TABLE order), and where in a row
# the columns of its key are (`SLEUTELS`, the order in which `rijen` gives the rows).
KOLOMMEN = {"leesmodel_trajecten": TRAJECT_KOLOMMEN, "leesmodel_signaleringen": SIGNALERING_KOLOMMEN,
            "leesmodel_rapportcijfers": RAPPORT_KOLOMMEN, "leesmodel_rapporttotalen": RAPPORTTOTAAL_KOLOMMEN}
SLEUTELPLAATSEN = {tabel: tuple(KOLOMMEN[tabel].index(kolom) for kolom in sleutel) for tabel, sleutel in SLEUTELS.items()}
JSON_KOLOMMEN = frozenset({"document", "betrokkene"})  # shown per key, never whole in a line
POGINGEN = 3  # rounds of catching up before concluding that the log keeps moving
MAX_REGELS = 50  # rows shown per table and kind; the rest is counted
PG_NAAMLENGTE = 63  # PostgreSQL truncates longer identifiers, which would break the DROP


@dataclass(frozen=True)
class Rijverschil:
    """One row with the same key in both, and per differing column (live, replay)."""

    sleutel: tuple[Any, ...]
    kolommen: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class Tabelverschil:
    tabel: str
    alleen_live: list[tuple[Any, ...]] = field(default_factory=list)
    alleen_replay: list[tuple[Any, ...]] = field(default_factory=list)
    anders: list[Rijverschil] = field(default_factory=list)

    @property
    def leeg(self) -> bool:
        return not (self.alleen_live or self.alleen_replay or self.anders)


@dataclass(frozen=True)
class Verschil:
    """The outcome of a replay: per compared read model its position and differences, and the read
    models that could not be compared because the log kept moving (live position, replay position)."""

    klad: str  # the scratch schema or file, for the report; it no longer exists
    posities: dict[str, int]
    tabellen: dict[str, Tabelverschil]
    niet_vergeleken: dict[str, tuple[int, int]]
    storingen: dict[str, Storing] = field(default_factory=dict)  # where the replay stopped, per read model
    live_storingen: dict[str, Storing] = field(default_factory=dict)  # where the live one stopped

    @property
    def gelijk(self) -> bool:
        return not (self.niet_vergeleken or self.gestoord) and all(t.leeg for t in self.tabellen.values())

    @property
    def gestoord(self) -> bool:
        """A read model, replayed or live, stopped at an event it could not take."""
        return bool(self.storingen or self.live_storingen)

    @property
    def verschilt(self) -> bool:
        return any(not t.leeg for t in self.tabellen.values())

    def tekst(self, max_regels: int = MAX_REGELS) -> str:
        """A readable diff: per table the rows only in one of the two, and per differing row its key and
        each differing column as live -> replay (JSON documents per key that differs)."""
        regels: list[str] = []
        for tabel, verschil in self.tabellen.items():
            if verschil.leeg:
                continue
            regels.append(
                f"{tabel}: {len(verschil.anders)} rij(en) anders, {len(verschil.alleen_live)} alleen live, "
                f"{len(verschil.alleen_replay)} alleen in replay"
            )
            for rij in verschil.anders[:max_regels]:
                regels.append(f"  ~ {_sleutel(tabel, rij.sleutel)}")
                for kolom, (live, replay) in rij.kolommen.items():
                    if kolom in JSON_KOLOMMEN:
                        regels += [f"      {pad}: {a} -> {b}" for pad, a, b in _json_verschil(kolom, live, replay)]
                    else:
                        regels.append(f"      {kolom}: {_waarde(live)} -> {_waarde(replay)}")
            for teken, rijen in (("-", verschil.alleen_live), ("+", verschil.alleen_replay)):
                regels += [f"  {teken} {_rij(tabel, enkel)}" for enkel in rijen[:max_regels]]
            if meer := sum(max(0, len(r) - max_regels) for r in (verschil.anders, verschil.alleen_live, verschil.alleen_replay)):
                regels.append(f"  ... en nog {meer} rij(en)")
        for naam, (live, replay) in self.niet_vergeleken.items():
            reden = "het live leesmodel staat stil" if naam in self.live_storingen else "het log bewoog"
            regels.append(f"{naam}: niet vergeleken, {reden} (live op {live}, replay op {replay})")
        for waar, storingen in (("replay", self.storingen), ("live", self.live_storingen)):
            for naam, storing in storingen.items():
                regels.append(f"{naam} ({waar}): gestopt bij de gebeurtenis op positie {storing.positie}: {storing.fout}")
        return "\n".join(regels)


def vergelijk_met_replay(
    app: Inburgering,
    live: SqlLeesmodelopslag,
    instellingen: Settings,
    voortgang: Voortgang | None = None,
    *,
    kladmap: Path | None = None,
    pogingen: int = POGINGEN,
    rekenprocessen: int = 0,
) -> Verschil:
    """Bring the live read models up to date, rebuild them all in a scratch store (`rekenprocessen`: see
    Projector), and compare."""
    live_projector = Projector(app, live)
    live_projector.bij()
    with _kladopslag(instellingen, kladmap) as (klad, naam):
        replay = Projector(app, klad, rekenprocessen=rekenprocessen)
        replay.herbouw(voortgang=voortgang)
        tabellen: dict[str, Tabelverschil] = {}
        open_ = dict.fromkeys(replay.projecties, (0, 0))
        for _ in range(pogingen):
            # Replay first, live second: live then ends at or past the replay, never behind it.
            replay.bij(voortgang=voortgang)
            live_projector.bij()
            voor = {n: live.positie(n) for n in open_}
            # Table by table, each side in key order, read a part at a time or, in one PostgreSQL database, only
            # the rows that differ (`rijen_naast`): memory holds what differs, not the stores (at 30,000
            # trajectories both whole took 280 MB).
            gelezen = {}
            for leesmodel in open_:
                for tabel in TABELLEN[leesmodel]:
                    with live.rijen_naast(tabel, klad) as (rijen_live, rijen_replay):
                        gelezen[tabel] = vergelijk_tabel(tabel, rijen_live, rijen_replay)
            # Rows and position are written in one transaction, so a position unchanged across the reads
            # means the rows belong to it; another projector, or a rebuild, may be moving live meanwhile.
            na = {n: live.positie(n) for n in open_}
            for leesmodel in list(open_):
                positie = klad.positie(leesmodel)
                if voor[leesmodel] == na[leesmodel] == positie:
                    for tabel in TABELLEN[leesmodel]:
                        tabellen[tabel] = gelezen[tabel]
                    del open_[leesmodel]
                else:
                    open_[leesmodel] = (na[leesmodel], positie)
            if not open_:
                break
        posities = {n: klad.positie(n) for n in replay.projecties if n not in open_}
        storingen = klad.storingen()
    return Verschil(klad=naam, posities=posities, tabellen=tabellen, niet_vergeleken=open_,
                    storingen=storingen, live_storingen=live.storingen())


def vergelijk_tabel(tabel: str, live: Iterable[tuple[Any, ...]], replay: Iterable[tuple[Any, ...]]) -> Tabelverschil:
    """Both sides in the order of their key (`SqlLeesmodelopslag.rijen`), merged in one pass: a key in both
    with other values is one changed row, not a removal and an addition. Only what differs is kept."""
    kolommen, sleutel = KOLOMMEN[tabel], functools.partial(_sleutel_van, tabel)
    alleen_live: list[tuple[Any, ...]] = []
    alleen_replay: list[tuple[Any, ...]] = []
    anders: list[Rijverschil] = []
    links, rechts = _op_volgorde(tabel, live), _op_volgorde(tabel, replay)
    a, b = next(links, None), next(rechts, None)
    while a is not None or b is not None:
        if b is None or (a is not None and sleutel(a) < sleutel(b)):
            alleen_live.append(a)  # type: ignore[arg-type]
            a = next(links, None)
        elif a is None or sleutel(b) < sleutel(a):
            alleen_replay.append(b)
            b = next(rechts, None)
        else:
            if a != b:
                anders.append(Rijverschil(sleutel(a), {k: (x, y) for k, x, y in zip(kolommen, a, b, strict=True) if x != y}))
            a, b = next(links, None), next(rechts, None)
    return Tabelverschil(tabel, alleen_live=alleen_live, alleen_replay=alleen_replay, anders=anders)


def _sleutel_van(tabel: str, rij: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(rij[i] for i in SLEUTELPLAATSEN[tabel])


def _op_volgorde(tabel: str, rijen: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The rows, checked to come in strictly rising key order: a merge of rows in another order would report
    rows as missing that are not."""
    vorige: tuple[Any, ...] | None = None
    for rij in rijen:
        sleutel = _sleutel_van(tabel, rij)
        if vorige is not None and not vorige < sleutel:
            raise ValueError(f"{tabel}: rijen niet in sleutelvolgorde ({_sleutel(tabel, vorige)} voor {_sleutel(tabel, sleutel)})")
        vorige = sleutel
        yield rij


@contextmanager
def _kladopslag(instellingen: Settings, kladmap: Path | None) -> Iterator[tuple[SqlLeesmodelopslag, str]]:
    """A fresh, empty read-model store that is gone after the block, also after an error."""
    if instellingen.database_url is None:
        with tempfile.TemporaryDirectory(prefix="inburgering-replay-", dir=kladmap) as map_:
            pad = Path(map_) / "leesmodellen.db"
            opslag: SqlLeesmodelopslag = SqliteLeesmodelopslag(pad)
            try:
                opslag.maak_tabellen(zoekindexen=False)  # compared by key, never listed
                yield opslag, str(pad)
            finally:
                opslag.close()  # before the directory goes: an open connection keeps the file and its WAL in use
        return
    achtervoegsel = f"_replay_{uuid.uuid4().hex[:12]}"
    schema = instellingen.database_schema[: PG_NAAMLENGTE - len(achtervoegsel)] + achtervoegsel
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", schema):
        raise ValueError(f"ongeldige schemanaam {schema!r}")
    with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
        verbinding.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        opslag = PostgresLeesmodelopslag(instellingen.database_url, schema)
        try:
            opslag.maak_tabellen(zoekindexen=False)  # compared by key, never listed
            yield opslag, schema
        finally:
            opslag.close()  # no pooled connection should outlive its schema
    finally:
        with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
            verbinding.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _sleutel(tabel: str, sleutel: tuple[Any, ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(SLEUTELS[tabel], sleutel, strict=True))


def _rij(tabel: str, rij: tuple[Any, ...]) -> str:
    """Key first, then the plain columns; a whole JSON document would drown the line."""
    plaatsen = SLEUTELPLAATSEN[tabel]
    rest = [f"{k}={_waarde(v)}" for i, (k, v) in enumerate(zip(KOLOMMEN[tabel], rij, strict=True))
            if i not in plaatsen and k not in JSON_KOLOMMEN]
    sleutel = _sleutel(tabel, _sleutel_van(tabel, rij))
    return f"{sleutel} ({', '.join(rest)})" if rest else sleutel


def _waarde(waarde: Any) -> str:
    return json.dumps(waarde, ensure_ascii=False, default=str)


_ONTBREEKT = object()


def _toon(waarde: Any) -> str:
    return "(ontbreekt)" if waarde is _ONTBREEKT else _waarde(waarde)


def _json_verschil(kolom: str, live: Any, replay: Any) -> list[tuple[str, str, str]]:
    """(path, live, replay) for every JSON key whose value differs; text that is no JSON is shown whole."""
    try:
        a, b = json.loads(live), json.loads(replay)
    except (TypeError, ValueError):
        return [(kolom, _waarde(live), _waarde(replay))]
    uitkomst: list[tuple[str, str, str]] = []

    def loop(pad: str, x: Any, y: Any) -> None:
        if isinstance(x, dict) and isinstance(y, dict):
            for sleutel in sorted(x.keys() | y.keys()):
                loop(f"{pad}.{sleutel}", x.get(sleutel, _ONTBREEKT), y.get(sleutel, _ONTBREEKT))
        elif isinstance(x, list) and isinstance(y, list):
            for i in range(max(len(x), len(y))):
                loop(f"{pad}[{i}]", x[i] if i < len(x) else _ONTBREEKT, y[i] if i < len(y) else _ONTBREEKT)
        elif x != y or type(x) is not type(y):  # 1 and 1.0, or 1 and true, are different JSON
            uitkomst.append((pad, _toon(x), _toon(y)))

    loop(kolom, a, b)
    return uitkomst
