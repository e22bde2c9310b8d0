"""The subscriptions and where each one's delivery stands, in the events' own database (issue 14).

A subscription's settings change on request (versioned: a stale change is refused); its position moves on
only when its receiver has acknowledged the facts up to there, written by the one dispatcher that holds its
lease, so two dispatchers never deliver one subscription at once and a restart resumes where it stopped.
The authorization value sent to the receiver and the signing secret are kept encrypted under a key derived
from the master key, bound to the subscription."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from adapters.keten import OpslagVerbinding
from domain.abonnement import Abonnement, AbonnementNietGevondenError, Abonnementstatus, AbonnementVerouderdError, Bezorgwijze, Terugval
from domain.waarden import Gemeente, Rol

SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}inburgering_abonnementen (
    abonnement_id TEXT PRIMARY KEY, eigenaar TEXT NOT NULL, rol TEXT NOT NULL, gemeenten TEXT NOT NULL,
    callback TEXT NOT NULL, autorisatie TEXT, geheim TEXT NOT NULL, gebeurtenistypen TEXT, gemeentefilter TEXT,
    bezorgwijze TEXT NOT NULL, versie INTEGER NOT NULL, status TEXT NOT NULL, positie BIGINT NOT NULL,
    mislukte_pogingen INTEGER NOT NULL, laatste_succes TEXT, laatste_fout TEXT, laatste_fout_op TEXT,
    volgende_poging TEXT, bezorger TEXT, bezorger_tot DOUBLE PRECISION, aangemaakt TEXT NOT NULL, gewijzigd TEXT NOT NULL)
"""
KOLOMMEN = ("abonnement_id, eigenaar, rol, gemeenten, callback, gebeurtenistypen, gemeentefilter, bezorgwijze, versie, status, "
            "positie, mislukte_pogingen, laatste_succes, laatste_fout, laatste_fout_op, volgende_poging, aangemaakt, gewijzigd, "
            "autorisatie IS NOT NULL AS met_autorisatie")
GEVONDEN = " RETURNING abonnement_id"  # whether a row was changed: the same on both stores (the library's SQLite cursor has no rowcount)
INSTELLINGEN = ("callback", "gebeurtenistypen", "gemeentefilter", "bezorgwijze")  # what a subscriber may change


@dataclass(frozen=True)
class Geheimen:
    autorisatie: str | None  # sent as the Authorization header, as the receiver asked
    ondertekening: str  # the Standard Webhooks secret (whsec_...) that signs each delivery


class Abonnementen:
    """The subscriptions, for the API (per subscriber) and for the dispatcher (per lease)."""

    def __init__(self, verbinding: OpslagVerbinding, hoofdsleutel: bytes, vorige: Sequence[bytes] = ()) -> None:
        """`vorige`: earlier master keys, whose secrets are still read until `roteer` has rewrapped them."""
        self._verbinding = verbinding
        self._sleutel, *self._vorige = [_afgeleid(s) for s in (hoofdsleutel, *vorige)]

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(SCHEMA))

    # -- for the subscriber ------------------------------------------------------------------

    def neem_op(self, abonnement: Abonnement, geheimen: Geheimen) -> None:
        waarden = _kolommen(abonnement) | {
            "autorisatie": self._versleutel(abonnement.id, "autorisatie", geheimen.autorisatie),
            "geheim": self._versleutel(abonnement.id, "geheim", geheimen.ondertekening),
        }
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(
                f"INSERT INTO {{s}}inburgering_abonnementen ({', '.join(waarden)}) VALUES ({', '.join(['%s'] * len(waarden))})"),
                list(waarden.values()))

    def van(self, abonnement_id: UUID, eigenaar: str | None = None) -> Abonnement:
        """The subscription; of this subscriber only, when `eigenaar` is given (another's is not found)."""
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._verbinding.sql(f"SELECT {KOLOMMEN} FROM {{s}}inburgering_abonnementen WHERE abonnement_id = %s"),
                           (str(abonnement_id),))
            rij = cursor.fetchone()
        if rij is None or (eigenaar is not None and rij["eigenaar"] != eigenaar):
            raise AbonnementNietGevondenError(str(abonnement_id))
        return _abonnement(rij)

    def van_eigenaar(self, eigenaar: str) -> list[Abonnement]:
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._verbinding.sql(
                f"SELECT {KOLOMMEN} FROM {{s}}inburgering_abonnementen WHERE eigenaar = %s ORDER BY aangemaakt, abonnement_id"), (eigenaar,))
            return [_abonnement(rij) for rij in cursor.fetchall()]

    def wijzig(self, abonnement_id: UUID, eigenaar: str, versie: int | None, nu: datetime, *, autorisatie: Any = ...,
               status: Abonnementstatus | None = None, mandaat: tuple[Rol, frozenset[Gemeente]] | None = None,
               **instellingen: Any) -> Abonnement:
        """Change settings (each of INSTELLINGEN; `autorisatie` when given, None to stop sending one) on the version
        `versie` (None: whatever it is now). Resuming a suspended subscription starts its count of failures anew and
        keeps its position."""
        zet: dict[str, Any] = {naam: _kolom(naam, waarde) for naam, waarde in instellingen.items() if naam in INSTELLINGEN}
        if autorisatie is not ...:
            zet["autorisatie"] = self._versleutel(abonnement_id, "autorisatie", autorisatie)
        if mandaat is not None:
            zet |= {"rol": mandaat[0].value, "gemeenten": _lijst(mandaat[1])}
        if status is not None:
            zet["status"] = status.value
            if status is Abonnementstatus.ACTIEF:
                zet |= {"mislukte_pogingen": 0, "volgende_poging": None}
        zet["gewijzigd"] = nu.isoformat()
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(
                f"UPDATE {{s}}inburgering_abonnementen SET {', '.join(f'{k} = %s' for k in zet)}, versie = versie + 1 "
                "WHERE abonnement_id = %s AND eigenaar = %s" + (" AND versie = %s" if versie is not None else "") + GEVONDEN),
                [*zet.values(), str(abonnement_id), eigenaar, *([versie] if versie is not None else [])])
            gewijzigd = cursor.fetchall()
        if not gewijzigd:
            raise AbonnementVerouderdError(self.van(abonnement_id, eigenaar).versie)  # or not found
        return self.van(abonnement_id, eigenaar)

    def zeg_op(self, abonnement_id: UUID, eigenaar: str, versie: int | None) -> None:
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(
                "DELETE FROM {s}inburgering_abonnementen WHERE abonnement_id = %s AND eigenaar = %s"
                + (" AND versie = %s" if versie is not None else "") + GEVONDEN),
                [str(abonnement_id), eigenaar, *([versie] if versie is not None else [])])
            verwijderd = cursor.fetchall()
        if not verwijderd:
            raise AbonnementVerouderdError(self.van(abonnement_id, eigenaar).versie)

    # -- for the dispatcher ------------------------------------------------------------------

    def aan_de_beurt(self, nu: datetime) -> list[Abonnement]:
        """The active subscriptions whose next attempt is due (the dispatcher still has to take a lease)."""
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._verbinding.sql(
                f"SELECT {KOLOMMEN} FROM {{s}}inburgering_abonnementen WHERE status = %s ORDER BY aangemaakt, abonnement_id"),
                (Abonnementstatus.ACTIEF.value,))
            return [a for a in map(_abonnement, cursor.fetchall()) if a.is_aan_de_beurt(nu)]

    def alle(self) -> list[Abonnement]:
        """Every subscription, whatever its status (the metrics show each one's lag)."""
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._verbinding.sql(f"SELECT {KOLOMMEN} FROM {{s}}inburgering_abonnementen ORDER BY aangemaakt, abonnement_id"))
            return [_abonnement(r) for r in cursor.fetchall()]

    @contextmanager
    def in_bezorging(self, abonnement_id: UUID, bezorger: str, seconden: float, epoch: float) -> Iterator[bool]:
        """Hold the subscription's lease while delivering (True), or learn that another dispatcher holds it
        (False). A lease that was not given back (its dispatcher died) lapses after `seconden`."""
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(
                "UPDATE {s}inburgering_abonnementen SET bezorger = %s, bezorger_tot = %s "
                "WHERE abonnement_id = %s AND (bezorger IS NULL OR bezorger_tot < %s)" + GEVONDEN),
                (bezorger, epoch + seconden, str(abonnement_id), epoch))
            genomen = bool(cursor.fetchall())
        try:
            yield genomen
        finally:
            if genomen:
                with self._verbinding.transactie() as cursor:
                    cursor.execute(self._verbinding.sql(
                        "UPDATE {s}inburgering_abonnementen SET bezorger = NULL, bezorger_tot = NULL "
                        "WHERE abonnement_id = %s AND bezorger = %s"), (str(abonnement_id), bezorger))

    def geheimen(self, abonnement_id: UUID) -> Geheimen:
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._verbinding.sql(
                "SELECT autorisatie, geheim FROM {s}inburgering_abonnementen WHERE abonnement_id = %s"), (str(abonnement_id),))
            rij = cursor.fetchone()
        if rij is None:
            raise AbonnementNietGevondenError(str(abonnement_id))
        return Geheimen(self._ontsleutel(abonnement_id, "autorisatie", rij["autorisatie"]),
                        self._ontsleutel(abonnement_id, "geheim", rij["geheim"]) or "")  # NOT NULL in the table

    def bezorgd(self, abonnement_id: UUID, bezorger: str, positie: int, nu: datetime, seconden: float, epoch: float) -> bool:
        """The receiver acknowledged every matching fact up to `positie`; the lease is extended. False when the
        lease was lost (another dispatcher took over): this one stops."""
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(
                "UPDATE {s}inburgering_abonnementen SET positie = %s, mislukte_pogingen = 0, laatste_succes = %s, "
                "volgende_poging = NULL, bezorger_tot = %s WHERE abonnement_id = %s AND bezorger = %s AND positie <= %s" + GEVONDEN),
                (positie, nu.isoformat(), epoch + seconden, str(abonnement_id), bezorger, positie))
            return bool(cursor.fetchall())

    def mislukt(self, abonnement_id: UUID, bezorger: str, pogingen: int, fout: str, nu: datetime, terugval: Terugval) -> None:
        """The `pogingen`-th delivery in a row failed: try again after a backoff, or suspend after too many."""
        status = Abonnementstatus.GESCHORST if terugval.schorsen(pogingen) else Abonnementstatus.ACTIEF
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(
                "UPDATE {s}inburgering_abonnementen SET mislukte_pogingen = %s, laatste_fout = %s, laatste_fout_op = %s, "
                "volgende_poging = %s, status = %s WHERE abonnement_id = %s AND bezorger = %s"),
                (pogingen, fout[:1000], nu.isoformat(), terugval.volgende_poging(nu, pogingen).isoformat(), status.value,
                 str(abonnement_id), bezorger))

    def close(self) -> None:
        self._verbinding.close()

    # -- secrets -----------------------------------------------------------------------------

    def _versleutel(self, abonnement_id: UUID, veld: str, waarde: str | None) -> str | None:
        if waarde is None:
            return None
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self._sleutel.encrypt(nonce, waarde.encode(), f"{abonnement_id}|{veld}".encode())).decode()

    def _ontsleutel(self, abonnement_id: UUID, veld: str, opgeslagen: str | None) -> str | None:
        return None if opgeslagen is None else self._ontsleutel_met(abonnement_id, veld, opgeslagen)[0]

    def _ontsleutel_met(self, abonnement_id: UUID, veld: str, opgeslagen: str) -> tuple[str, bool]:
        """The secret, and whether the current master key encrypted it (GCM's tag tells which key did)."""
        ruw = base64.b64decode(opgeslagen)
        for sleutel in (self._sleutel, *self._vorige):
            try:
                return sleutel.decrypt(ruw[:12], ruw[12:], f"{abonnement_id}|{veld}".encode()).decode(), sleutel is self._sleutel
            except InvalidTag:
                continue
        raise InvalidTag(f"geen ingestelde hoofdsleutel ontsleutelt {veld} van abonnement {abonnement_id}")

    def roteer(self) -> int:
        """Encrypt every secret an earlier master key encrypted under the current one; returns how many. Each is
        written only over the value just read, so a secret changed (or a subscription ended) meanwhile is left alone."""
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._verbinding.sql("SELECT abonnement_id, autorisatie, geheim FROM {s}inburgering_abonnementen"))
            rijen = [(rij["abonnement_id"], rij["autorisatie"], rij["geheim"]) for rij in cursor.fetchall()]
        herverpakt = 0
        for abonnement_id, *waarden in rijen:
            for veld, opgeslagen in zip(("autorisatie", "geheim"), waarden, strict=True):
                if opgeslagen is None:
                    continue
                tekst, actueel = self._ontsleutel_met(UUID(abonnement_id), veld, opgeslagen)
                if actueel:
                    continue
                with self._verbinding.transactie() as cursor:
                    cursor.execute(self._verbinding.sql(
                        f"UPDATE {{s}}inburgering_abonnementen SET {veld} = %s WHERE abonnement_id = %s AND {veld} = %s" + GEVONDEN),
                        (self._versleutel(UUID(abonnement_id), veld, tekst), abonnement_id, opgeslagen))
                    herverpakt += len(cursor.fetchall())
        return herverpakt


def _afgeleid(hoofdsleutel: bytes) -> AESGCM:
    return AESGCM(HKDF(hashes.SHA256(), 32, salt=None, info=b"inburgering/abonnementen").derive(hoofdsleutel))


def _lijst(waarden: frozenset[Any] | None) -> str | None:
    return None if waarden is None else json.dumps(sorted(str(w) for w in waarden))


def _kolom(naam: str, waarde: Any) -> Any:
    if naam in ("gebeurtenistypen", "gemeentefilter"):
        return _lijst(waarde)
    return waarde.value if isinstance(waarde, Bezorgwijze) else waarde


def _kolommen(a: Abonnement) -> dict[str, Any]:
    return {
        "abonnement_id": str(a.id), "eigenaar": a.eigenaar, "rol": a.rol.value, "gemeenten": _lijst(a.gemeenten),
        "callback": a.callback, "gebeurtenistypen": _lijst(a.gebeurtenistypen), "gemeentefilter": _lijst(a.gemeentefilter),
        "bezorgwijze": a.bezorgwijze.value, "versie": a.versie, "status": a.status.value, "positie": a.positie,
        "mislukte_pogingen": a.mislukte_pogingen, "laatste_succes": None, "laatste_fout": None, "laatste_fout_op": None,
        "volgende_poging": None, "aangemaakt": a.aangemaakt.isoformat(), "gewijzigd": a.gewijzigd.isoformat(),
    }  # the secrets (and so `met_autorisatie`) are written beside these, encrypted


def _tijd(waarde: str | None) -> datetime | None:
    return None if waarde is None else datetime.fromisoformat(waarde)


def _abonnement(rij: Mapping[str, Any]) -> Abonnement:
    typen, filter_ = rij["gebeurtenistypen"], rij["gemeentefilter"]
    return Abonnement(
        id=UUID(rij["abonnement_id"]), eigenaar=rij["eigenaar"], rol=Rol(rij["rol"]),
        gemeenten=frozenset(Gemeente(g) for g in json.loads(rij["gemeenten"])), callback=rij["callback"],
        gebeurtenistypen=None if typen is None else frozenset(json.loads(typen)),
        gemeentefilter=None if filter_ is None else frozenset(Gemeente(g) for g in json.loads(filter_)),
        bezorgwijze=Bezorgwijze(rij["bezorgwijze"]), versie=int(rij["versie"]), status=Abonnementstatus(rij["status"]),
        positie=int(rij["positie"]), mislukte_pogingen=int(rij["mislukte_pogingen"]), laatste_succes=_tijd(rij["laatste_succes"]),
        laatste_fout=rij["laatste_fout"], laatste_fout_op=_tijd(rij["laatste_fout_op"]), volgende_poging=_tijd(rij["volgende_poging"]),
        aangemaakt=datetime.fromisoformat(rij["aangemaakt"]), gewijzigd=datetime.fromisoformat(rij["gewijzigd"]),
        met_autorisatie=bool(rij["met_autorisatie"]),
    )
