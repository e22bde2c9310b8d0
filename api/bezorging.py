"""The dispatcher: pushes each subscription's facts to its receiver as CloudEvents (issue 14).

At least once, in log order (so in order per trajectory): a subscription's position moves on only after its
receiver acknowledged (2xx) the facts up to there, so after a crash or restart the dispatcher resumes at the
position and a receiver may see the last facts again, with the same `id`. Facts are read with the feed's own
use case and the subscriber's role and gemeenten, so a receiver gets exactly what that subscriber could read
from the feed. A failing receiver is retried with exponential backoff and suspended after a bound; a lease
per subscription keeps two dispatchers (API workers, or `make bezorging`) from delivering it at once.

Each delivery is signed as Standard Webhooks do (headers webhook-id, webhook-timestamp, webhook-signature:
HMAC-SHA256 with the subscription's secret), so a receiver checks it with any of their libraries."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, uuid4, uuid5

import httpx
from standardwebhooks import Webhook

from adapters.abonnementen import Abonnementen, Geheimen
from adapters.bootstrap import bouw_abonnementen, bouw_applicatie, bouw_logboek
from adapters.clock import SysteemKlok
from adapters.logopmaak import configureer
from adapters.logboek import Dataverwerking, Logboek, Verzoek
from adapters.settings import Settings
from adapters.startcontrole import start_instellingen
from adapters.wekker import Wekker
from api.cloudevents import cloudevent
from api.gebeurtenistypen import type_voor
from api.logboek import activiteit, tracecontext
from api.openapi import API_VERSIE, BASISPAD
from api.schemas import CloudEventPublic
from domain.abonnement import Abonnement, Bezorgwijze, Terugval
from domain.application import Actor, Inburgering

log = logging.getLogger("inburgering.bezorging")

PER_LEZING = 100  # facts read (and, in batch mode, sent) at a time
LEZINGEN_PER_BEURT = 10  # then the next subscription has its turn
RUST = 1.0  # seconds between rounds when nothing new is written (a due retry, a new subscription wait at most this long)
SNEDE = 0.5  # the longest a stop or a wake-up waits for a rest on the Wekker to end
KORTSTE_RUST = 0.02  # between rounds under a steady command load: a round per burst of commits, not per commit
BATCH = "application/cloudevents-batch+json"
GESTRUCTUREERD = "application/cloudevents+json; charset=utf-8"


def ontvanger_toegestaan(callback: str, hosts: Sequence[str]) -> bool:
    """Whether the callback's host is one the operator allows (`BEZORGING_HOSTS`; none set: any)."""
    host = (urlsplit(callback).hostname or "").lower()
    return not hosts or any(host == h.lower() or (h.startswith(".") and host.endswith(h.lower())) for h in hosts)


class Afgewezen(Exception):
    """The receiver did not acknowledge: an error status, no answer in time, or no connection."""


class Bezorger:
    """Delivers every active subscription, in a thread of its own (`start`) or round by round (`ronde`)."""

    def __init__(self, app: Inburgering, abonnementen: Abonnementen, logboek: Logboek | None, instellingen: Settings,
                 wacht: Callable[[int, float], int] | None = None, rust: float = RUST) -> None:
        self._app, self._abonnementen, self._logboek = app, abonnementen, logboek
        self._bron, self._basis = instellingen.cloudevents_bron, instellingen.publieke_url + BASISPAD
        self._lease, self._hosts = instellingen.bezorging_lease_seconden, instellingen.bezorging_hosts
        self._terugval = Terugval(timedelta(seconds=instellingen.bezorging_eerste_wachttijd),
                                  timedelta(seconds=instellingen.bezorging_hoogste_wachttijd), instellingen.bezorging_schorsen_na)
        # No redirects: a receiver is the URL its subscriber registered, nothing it points on to.
        self._http = httpx.Client(timeout=instellingen.bezorging_timeout, follow_redirects=False)
        self._wacht, self._rust = wacht, rust
        self.naam = f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"  # the lease holder, in the table
        self._stop = threading.Event()
        self._gewekt = threading.Event()  # a subscription was made or resumed in this process: look now
        self._draad: threading.Thread | None = None
        self._actief = False  # whether the last round found a subscription to deliver
        self._meer = False  # whether it left one with more to deliver than a turn takes

    def start(self) -> None:
        self._draad = threading.Thread(target=self._draai, name="bezorging", daemon=True)
        self._draad.start()

    def wek(self) -> None:
        """A subscription was made or resumed here: deliver now rather than at the next round."""
        self._gewekt.set()

    def close(self) -> None:
        """Stop after the delivery under way; what it did not acknowledge is delivered after the restart."""
        self._stop.set()
        self._gewekt.set()
        if self._draad is not None:
            self._draad.join(timeout=60)
        self._http.close()

    def _draai(self) -> None:
        while not self._stop.is_set():
            gezien = 0
            self._gewekt.clear()  # before the round: a wake-up during it ends the rest after it
            try:
                gezien = self._app.recorder.max_notification_id() or 0
                self.ronde()
            except Exception:  # a lost database or one bad subscription must not end the deliveries
                log.exception("bezorging: een ronde is mislukt; over %g s opnieuw", self._rust)
                self._stop.wait(self._rust)
                continue
            if self._meer:  # a subscription has more than one turn's worth: no rest
                continue
            if self._wacht is None:
                self._stop.wait(self._rust / 4)
            elif self._actief:  # a commit ends the rest at once
                self._stop.wait(KORTSTE_RUST)
                self._wacht_op_een_commit(gezien)
            else:  # no subscription to deliver: commits need not wake this thread, a new subscription does
                self._gewekt.wait(self._rust)

    def _wacht_op_een_commit(self, gezien: int) -> None:
        """The Wekker's wait in slices, so that a stop or a wake-up is not kept waiting for the rest."""
        assert self._wacht is not None
        einde = time.monotonic() + self._rust
        while not (self._stop.is_set() or self._gewekt.is_set()) and (rest := einde - time.monotonic()) > 0:
            if self._wacht(gezien, min(rest, SNEDE)) > gezien:
                return

    def ronde(self) -> int:
        """Deliver what is due to each active subscription whose lease this dispatcher gets; the number of
        facts acknowledged."""
        bezorgd, kandidaten = 0, self._abonnementen.aan_de_beurt(datetime.now(UTC))
        self._actief, self._meer = bool(kandidaten), False
        for kandidaat in kandidaten:
            if self._stop.is_set():
                break
            with self._abonnementen.in_bezorging(kandidaat.id, self.naam, self._lease, time.time()) as genomen:
                if genomen and (abonnement := self._abonnementen.van(kandidaat.id)).is_aan_de_beurt(datetime.now(UTC)):
                    bezorgd += self._bezorg(abonnement)  # as it is now, under the lease (not paused meanwhile)
        return bezorgd

    def _bezorg(self, abonnement: Abonnement) -> int:
        actor = Actor(gebruiker=abonnement.eigenaar, rol=abonnement.rol, gemeenten=abonnement.gemeenten,
                      correlatie_id=str(abonnement.id))
        geheimen = self._abonnementen.geheimen(abonnement.id)
        positie, bezorgd, pogingen = abonnement.positie, 0, abonnement.mislukte_pogingen
        for _ in range(LEZINGEN_PER_BEURT):
            feiten, tot = self._app.gebeurtenissen_na(positie, PER_LEZING, actor)
            if tot == positie:
                break
            gebeurtenissen = [cloudevent(nummer, feit, abonnement.rol, self._bron, self._basis) for nummer, feit in feiten
                              if abonnement.past(type_voor(type(feit), abonnement.rol), feit.metadata.gemeente)]  # type: ignore[attr-defined]
            try:
                if abonnement.bezorgwijze is Bezorgwijze.BATCH:
                    if gebeurtenissen:
                        self._verstuur(abonnement, geheimen, gebeurtenissen)
                else:
                    for gebeurtenis in gebeurtenissen:
                        self._verstuur(abonnement, geheimen, [gebeurtenis])
                        bezorgd, pogingen = bezorgd + 1, 0
                        if not self._bevestig(abonnement, int(gebeurtenis.sequence)):
                            return bezorgd
            except Afgewezen as fout:
                log.warning("bezorging: abonnement %s: %s", abonnement.id, fout)
                self._abonnementen.mislukt(abonnement.id, self.naam, pogingen + 1, str(fout), datetime.now(UTC), self._terugval)
                return bezorgd
            if abonnement.bezorgwijze is Bezorgwijze.BATCH:
                bezorgd, pogingen = bezorgd + len(gebeurtenissen), 0
            if not self._bevestig(abonnement, tot):  # also past the facts the filters left out
                return bezorgd
            positie = tot
        else:
            self._meer = True  # the turn ended, not the facts
        return bezorgd

    def _bevestig(self, abonnement: Abonnement, positie: int) -> bool:
        if self._abonnementen.bezorgd(abonnement.id, self.naam, positie, datetime.now(UTC), self._lease, time.time()):
            return True
        log.warning("bezorging: abonnement %s: de lease is overgenomen; deze bezorger stopt ermee", abonnement.id)
        return False

    def _verstuur(self, abonnement: Abonnement, geheimen: Geheimen, gebeurtenissen: Sequence[CloudEventPublic]) -> None:
        begin = datetime.now(UTC)
        if abonnement.bezorgwijze is Bezorgwijze.BATCH:
            inhoud = json.dumps([g.model_dump(mode="json", by_alias=True) for g in gebeurtenissen]).encode()
            bericht_id = str(uuid5(NAMESPACE_URL, f"urn:sdd:inburgering:bezorging:{abonnement.id}:{gebeurtenissen[0].id}:{gebeurtenissen[-1].id}"))
            koppen = {"Content-Type": BATCH}
        elif abonnement.bezorgwijze is Bezorgwijze.BINAIR:
            gebeurtenis = gebeurtenissen[0].model_dump(mode="json", by_alias=True)
            inhoud, bericht_id = json.dumps(gebeurtenis.pop("data")).encode(), str(gebeurtenis["id"])
            koppen = {"Content-Type": gebeurtenis.pop("datacontenttype")} | {f"ce-{k}": str(v) for k, v in gebeurtenis.items()}
        else:
            inhoud, bericht_id = gebeurtenissen[0].model_dump_json(by_alias=True).encode(), str(gebeurtenissen[0].id)
            koppen = {"Content-Type": GESTRUCTUREERD}
        koppen |= {"webhook-id": bericht_id, "webhook-timestamp": str(int(begin.timestamp())),
                   "webhook-signature": Webhook(geheimen.ondertekening).sign(bericht_id, begin, inhoud)}
        if geheimen.autorisatie is not None:
            koppen["Authorization"] = geheimen.autorisatie
        if not ontvanger_toegestaan(abonnement.callback, self._hosts):  # the operator narrowed the list since
            raise Afgewezen("de host van de callback-URL staat niet in BEZORGING_HOSTS")
        try:
            antwoord = self._http.post(abonnement.callback, content=inhoud, headers=koppen)
        except httpx.HTTPError as fout:
            raise Afgewezen(f"de ontvanger is niet bereikt ({type(fout).__name__})") from fout
        self._leg_vast(abonnement, gebeurtenissen, begin, antwoord.status_code)
        if not 200 <= antwoord.status_code < 300:
            raise Afgewezen(f"de ontvanger antwoordde {antwoord.status_code}")

    def _leg_vast(self, abonnement: Abonnement, gebeurtenissen: Sequence[CloudEventPublic], begin: datetime, status: int) -> None:
        """Each delivery is in the access log as the feed's reads are: who received facts of which trajectories."""
        if self._logboek is None:
            return
        trace = tracecontext(None)
        verzoek = Verzoek(trace_id=trace.trace_id, operation_id=trace.operation_id, aanroeper_id=None, naam="bezorg-abonnement",
                          start=begin.isoformat(), eind=datetime.now(UTC).isoformat(), http_status=status, actie="POST",
                          object=f"{BASISPAD}/abonnementen/{abonnement.id}", gebruiker=abonnement.eigenaar,
                          rol=abonnement.rol.value, gemeenten=sorted(g.value for g in abonnement.gemeenten), oorsprong=None)
        soort = activiteit(abonnement.rol, f"{BASISPAD}/gebeurtenissen")
        trajecten = sorted({str(g.subject) for g in gebeurtenissen})
        self._logboek.leg_vast(verzoek, [Dataverwerking(os.urandom(8).hex(), t, soort) for t in trajecten])



def main() -> None:
    """`make bezorging`: the dispatcher as a process of its own, for API workers run with INBURGERING_BEZORGING=extern.
    Stops on SIGTERM or Ctrl-C after the delivery under way."""
    instellingen = start_instellingen()
    configureer()  # JSON lines (or text) as the API's, redacted the same way
    app = bouw_applicatie(instellingen, SysteemKlok())
    logboek = bouw_logboek(instellingen, app, {"service.name": "inburgering-bezorging", "service.version": API_VERSIE})
    wekker = Wekker(app.recorder)  # a commit in any API worker wakes this process (LISTEN/NOTIFY on PostgreSQL)
    wekker.start()
    bezorger = Bezorger(app, bouw_abonnementen(instellingen, app), logboek, instellingen, wekker.wacht)
    gestopt = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: gestopt.set())
    bezorger.start()
    log.info("bezorging: %s bezorgt", bezorger.naam)
    try:
        gestopt.wait()
    except KeyboardInterrupt:
        pass
    finally:
        bezorger.close()
        wekker.close()
        logboek.close()
        app.close()


if __name__ == "__main__":
    main()
