"""Inburgering: the use cases. Load, decide in the aggregate, save atomically.

Infrastructure-agnostic: the store comes from the environment (SQLite, PostgreSQL or memory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProjectorFunction, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Recording,
    Transcoder,
    Transcoding,
)

from domain import fouten
from domain.commandos import Commando, Start
from domain.metadata import Metadata
from domain.opdracht import Opdracht, opdracht_id
from domain.persoon import Persoonsregistratie
from domain.persoonsgegevens import LANG, Bewaarklasse, GrondVerwijdering, Personenregister, RegistratieBezetError, Sleutelkluis, is_verwijderd
from domain.traject import Inburgeringstraject
from domain.velden import zonder
from domain.waarden import Gemeente, Rol, Vastlegging


class TrajectNietGevondenError(Exception):
    """No trajectory with this id that the user may see."""


class BuitenMandaatError(Exception):
    """The actor may not act for this gemeente."""


class VersieVerouderdError(Exception):
    """The client's If-Match names an older version than the stored one."""

    def __init__(self, verwacht: int, huidig: int) -> None:
        super().__init__(f"U werkte met versie {verwacht}; de huidige versie is {huidig}.")
        self.huidig = huidig


@dataclass(frozen=True)
class Actor:
    """The authenticated user behind a request."""

    gebruiker: str
    rol: Rol
    gemeenten: frozenset[Gemeente]
    correlatie_id: str
    toelichting: str | None = None
    applicatie: str | None = None
    trace_id: str | None = None


@dataclass(frozen=True)
class Idempotentie:
    """An Idempotency-Key and a fingerprint of the request it came with."""

    sleutel: str
    vingerafdruk: str


@dataclass(frozen=True)
class Uitkomst:
    """The trajectory as a command left it; `herhaald` when a known key replayed the first answer."""

    traject: Inburgeringstraject
    herhaald: bool = False


class Klok(Protocol):
    """The time source: the moment of recording and today's date in the Netherlands."""

    def nu(self) -> datetime: ...

    def vandaag(self) -> date: ...


class DateAsIso(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class MetadataAsDict(Transcoding):
    type = Metadata
    name = "metadata"

    def encode(self, obj: Metadata) -> dict[str, Any]:
        # The later fields only when set: facts recorded before them keep their stored form.
        return {k: v for k, v in vars(obj).items() if v is not None or k == "gemeente"}

    def decode(self, data: dict[str, Any]) -> Metadata:
        return Metadata(**data)


def pas_toe(aggregaat: Any, events: Iterable[Any]) -> Any:
    """The aggregate after these events: the library's `project_aggregate` without its isinstance check
    against a runtime Protocol, which cost more per event than applying the event (and vanishes under -O)."""
    for event in events:
        aggregaat = event.mutate(aggregaat)
    return aggregaat


class OnveranderlijkeCacheRepository(Repository[UUID]):
    """The library fast-forwards a cached aggregate in place, while another thread may be deep-copying
    it for a command ("dictionary changed size during iteration") or reading it. Here an aggregate in
    the cache is never changed: new events are applied to a copy, which then takes its place. Two
    threads may both fast-forward; the cache keeps either, and the next read catches up from it."""

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = pas_toe,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        if self.cache is None or version is not None:
            return super().get(aggregate_id, version=version, projector_func=projector_func)
        try:
            aggregaat: Any = self.cache.get(aggregate_id)
        except KeyError:
            aggregaat = self._reconstruct_aggregate(aggregate_id, None, projector_func)
            self.cache.put(aggregate_id, aggregaat)
        else:
            if nieuw := list(self.event_store.get(originator_id=aggregate_id, gt=aggregaat.version)):
                aggregaat = projector_func(deepcopy(aggregaat), nieuw)
                self.cache.put(aggregate_id, aggregaat)
        return deepcopy(aggregaat) if deepcopy_from_cache and self.deepcopy_from_cache else aggregaat

    def onthoud(self, *aggregaten: Any) -> None:
        """Aggregates just saved are what the store holds: kept, the next command on one of them reads only the
        head, where it replayed and decrypted what this one wrote (the library keeps them only without
        fast-forwarding). The caller changes them no more; an older one kept meanwhile by another thread is
        caught up on its next read, as always."""
        if self.cache is not None:
            for aggregaat in aggregaten:
                self.cache.put(aggregaat.id, aggregaat)

    def vergeet(self, *aggregaat_ids: UUID) -> None:
        """Aggregates whose keys were just destroyed: no decrypted copy of them stays in this process; the
        next read takes what the store holds now."""
        if self.cache is not None:
            for aggregaat_id in aggregaat_ids:
                try:
                    self.cache.get(aggregaat_id, evict=True)
                except KeyError:
                    pass  # not cached


class Inburgering(Application[UUID]):
    """The inburgering use cases of SDD."""

    name = "inburgering"  # pinned: it names the PostgreSQL tables and the env prefix
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "1000"}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        klok: Klok,
        personen: Personenregister,
        sleutels: Sleutelkluis | None = None,
        mapper: Callable[[Transcoder], Mapper[UUID]] | None = None,
        projectiemapper: Callable[[Transcoder], Mapper[UUID]] | None = None,
        event_store: Callable[[Mapper[UUID], ApplicationRecorder], EventStore[UUID]] | None = None,
    ) -> None:
        # Without these (the domain's own tests) events are stored as they are; the composition root
        # always gives a mapper that encrypts personal fields (adapters/versleuteling.py) and an event
        # store that chains every event by hash (adapters/keten.py).
        self.sleutels = sleutels
        self._mapper = mapper
        self._event_store = event_store
        self._sluiten: list[Callable[[], None]] = []
        super().__init__(env)
        # How the read models read the log: by default as the use cases do; the composition root gives one
        # that leaves personal fields encrypted, as no read model shows them (projections/projector.py).
        self.projectiemapper = projectiemapper(self.construct_transcoder()) if projectiemapper else self.mapper
        self.klok = klok
        self.personen = personen

    def sluit_ook(self, sluit: Callable[[], None]) -> None:
        """Close this too when the application closes (a store the composition root added)."""
        self._sluiten.append(sluit)

    def close(self) -> None:
        super().close()
        if self.sleutels is not None:
            self.sleutels.close()
        for sluit in self._sluiten:
            sluit()

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """As the library's save, for the aggregates this application saves: their events in one put. The library
        first asks of every object whether it is an event and whether it collects events, two checks against
        runtime Protocols that Python 3.11 answers by walking the protocol's classes each time (about 18 µs an
        aggregate, 2-3 % of a start's CPU). Beyond the put, its save caches nothing here (the repository
        fast-forwards; `_bewaar` keeps what was saved), takes no snapshot and notifies no one (both unset here);
        anything else (an event, snapshots) takes the library's own path."""
        if self.snapshots is not None or not all(isinstance(obj, Aggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        return self.events.put([event for obj in objs for event in obj.collect_events()], **kwargs)

    def construct_repository(self) -> Repository[UUID]:
        standaard = super().construct_repository()  # the library reads the cache settings from the env
        repository = OnveranderlijkeCacheRepository(
            event_store=self.events, snapshot_store=self.snapshots, deepcopy_from_cache=standaard.deepcopy_from_cache
        )
        repository.cache = standaard.cache
        return repository

    def construct_event_store(self) -> EventStore[UUID]:
        if self._event_store is None:
            return super().construct_event_store()
        return self._event_store(self.mapper, self.recorder)

    def construct_mapper(self) -> Mapper[UUID]:
        if self._mapper is None:
            return super().construct_mapper()
        return self._mapper(self.construct_transcoder())

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsIso())
        transcoder.register(MetadataAsDict())

    # -- commands ----------------------------------------------------------------------------

    def start_traject(
        self, commando: Start, actor: Actor, idempotentie: Idempotentie | None = None, *, meeschrijven: object | None = None
    ) -> Uitkomst:
        """Open a trajectory from a TVS-profiel or a DUO kennisgeving. `meeschrijven`: see `_bewaar`."""
        if (eerder := self._eerdere_uitkomst(actor, idempotentie)) is not None:
            return eerder
        door = self._vastlegging(actor)
        if not door.mag_werken_voor(commando.gemeente):
            raise BuitenMandaatError(f"Gemeente {commando.gemeente.value} valt buiten uw mandaat.")
        try:
            # Most starts are a new person's: the register is not read first, a registration is proposed and
            # written with the person's first keys. Where the BSN has one, nothing was written: once more, read.
            return self._open(commando, door, actor, idempotentie, zoek_eerst=False, meeschrijven=meeschrijven)
        except RegistratieBezetError:
            return self._open(commando, door, actor, idempotentie, zoek_eerst=True, meeschrijven=meeschrijven)

    def _open(
        self, commando: Start, door: Vastlegging, actor: Actor, idempotentie: Idempotentie | None, *, zoek_eerst: bool, meeschrijven: object | None
    ) -> Uitkomst:
        traject = commando.starten(door)
        persoon = self._persoon(commando.bsn, door, zoek_eerst=zoek_eerst)
        persoon.koppel(traject.id, door, Metadata.van(door, namens=commando.gemeente))
        return self._bewaar(traject, actor, idempotentie, persoon, meeschrijven=meeschrijven)

    def voer_uit(
        self,
        traject_id: UUID,
        commando: Commando,
        actor: Actor,
        verwachte_versie: int | None = None,
        idempotentie: Idempotentie | None = None,
        *,
        meeschrijven: object | None = None,
    ) -> Uitkomst:
        """Carry out a command on a trajectory, optionally only if it is still at a version. `meeschrijven`:
        see `_bewaar`."""
        if (eerder := self._eerdere_uitkomst(actor, idempotentie)) is not None:
            return eerder
        traject = self.traject(traject_id, actor)
        if verwachte_versie is not None and verwachte_versie != traject.version:
            raise VersieVerouderdError(verwachte_versie, traject.version)
        was_lopend = not traject.is_afgesloten
        # Before the command, which may remove it; from the stored start while the key still exists.
        bsn = traject.bsn if not is_verwijderd(traject.bsn) else self.bsn_van(traject.id)
        door = self._vastlegging(actor)
        if traject.verwijderd:
            self._vernietig_sleutels(traject, bsn)  # finish a removal that stopped before its keys were gone
        commando.uitvoeren(traject, door)
        andere: list[Aggregate] = []
        overlijden = (commando.methode is Inburgeringstraject.verwijder_persoonsgegevens
                      and commando.argumenten["grond"] is GrondVerwijdering.OVERLIJDEN)
        if bsn is not None and (overlijden or (was_lopend and traject.is_afgesloten)):
            persoon = self._persoon(bsn, door)
            if overlijden:
                # A death ends every plicht of the person and all their data go (Bi 9.9), whichever
                # gemeente's trajectory it was recorded on: the colleges' shared duty, in one save.
                andere += self._ook_na_overlijden(persoon, traject, commando.argumenten["overlijdensdatum"], door)
            gesloten = [t for t in [traject, *andere] if isinstance(t, Inburgeringstraject) and t.id in persoon.lopend and t.is_afgesloten]
            for t in gesloten:
                # The person may start a new trajectory once this one closed; all facts in one save.
                persoon.sluit(t.id, door, Metadata.van(door, namens=t.gemeente))
            if gesloten:
                andere.append(persoon)
        uitkomst = self._bewaar(traject, actor, idempotentie, *andere, meeschrijven=meeschrijven)
        if traject.verwijderd and not uitkomst.herhaald:
            for gewist in [traject, *[a for a in andere if isinstance(a, Inburgeringstraject)]]:
                self._vernietig_sleutels(gewist, bsn)
        return uitkomst

    def _ook_na_overlijden(
        self, persoon: Persoonsregistratie, traject: Inburgeringstraject, overlijdensdatum: date, door: Vastlegging
    ) -> list[Inburgeringstraject]:
        andere = []
        for ander_id in persoon.trajecten:
            ander = cast(Inburgeringstraject, self.repository.get(ander_id))
            if ander_id == traject.id or len(ander.verwijderd) == len(Bewaarklasse):
                continue
            try:
                ander.verwijder_persoonsgegevens(grond=GrondVerwijdering.OVERLIJDEN, overlijdensdatum=overlijdensdatum, door=door)
            except fouten.RegelOvertredenError:
                # Said without details: the other trajectory may lie outside the caller's mandate.
                raise fouten.NaOverlijdenError(
                    "Een ander traject van deze persoon heeft feiten na deze overlijdensdatum; stem de datum af met die gemeente."
                ) from None
            andere.append(ander)
        return andere

    # -- queries -----------------------------------------------------------------------------

    def traject(self, traject_id: UUID, actor: Actor, versie: int | None = None, *, kopie: bool = True) -> Inburgeringstraject:
        """The trajectory (at a version), if the actor may see it now. `kopie=False` skips copying the
        cached aggregate, for a reader that changes nothing: the cache itself is never changed in place
        (OnveranderlijkeCacheRepository), so such a reader may keep it while commands go on. An earlier version
        is judged by today's gemeente and shows no personal data that have been removed since."""
        try:
            traject: Inburgeringstraject = self.repository.get(traject_id, deepcopy_from_cache=kopie)
        except AggregateNotFoundError:
            raise TrajectNietGevondenError(str(traject_id)) from None
        if not isinstance(traject, Inburgeringstraject) or not self._vastlegging(actor).mag_werken_voor(
            traject.gemeente
        ):
            raise TrajectNietGevondenError(str(traject_id))  # 404, not 403: existence is not disclosed
        if versie is None or versie >= traject.version:
            return traject
        eerder = cast(Inburgeringstraject, self.repository.get(traject_id, version=versie))
        if traject.verwijderd:  # looking back never brings removed data back
            eerder.verwijderd |= traject.verwijderd
            eerder.wis_verwijderde_gegevens()
        return eerder

    def gebeurtenissen(self, traject_id: UUID, actor: Actor) -> list[Aggregate.Event]:
        """Every recorded fact of a trajectory, in order; removed classes read as removed even in the
        moment between recording their removal and destroying their keys."""
        verwijderd = set(self.traject(traject_id, actor, kopie=False).verwijderd)
        return [zonder(feit, verwijderd) for feit in self.events.get(traject_id)]

    def gebeurtenis(self, traject_id: UUID, versie: int, actor: Actor) -> Aggregate.Event:
        """One recorded fact of a trajectory."""
        verwijderd = set(self.traject(traject_id, actor, kopie=False).verwijderd)
        gevonden = list(self.events.get(traject_id, gt=versie - 1, lte=versie))
        if not gevonden:
            raise TrajectNietGevondenError(f"{traject_id} heeft geen feit {versie}")
        return zonder(gevonden[0], verwijderd)

    def zoek_trajecten(self, bsn: str, actor: Actor) -> list[Inburgeringstraject]:
        """The trajectories of a person that the actor may see."""
        persoon_id = self.personen.zoek(bsn)
        if persoon_id is None:
            return []
        try:
            persoon: Persoonsregistratie = self.repository.get(persoon_id)
        except AggregateNotFoundError:
            return []
        gevonden = []
        for traject_id in persoon.trajecten:
            try:
                traject = self.traject(traject_id, actor)
            except TrajectNietGevondenError:
                continue
            if LANG not in traject.verwijderd:  # a forgotten BSN no longer finds its trajectory
                gevonden.append(traject)
        return gevonden

    def traject_vastgelegd_op(self, traject_id: UUID, actor: Actor, tot: datetime) -> Inburgeringstraject | None:
        """The trajectory as it was recorded up to the moment `tot` (time travel over the recording
        time); None when nothing of it had been recorded yet."""
        self.traject(traject_id, actor, kopie=False)  # 404 outside the mandate
        versie = 0
        for feit in self.events.get(traject_id):
            if feit.timestamp > tot:  # type: ignore[attr-defined]
                break
            versie = feit.originator_version
        return self.traject(traject_id, actor, versie) if versie else None

    def historie(self, bsn: str, actor: Actor) -> list[tuple[Inburgeringstraject, list[Aggregate.Event]]]:
        """A person's trajectories that the actor may see, each with every recorded fact in order."""
        return [(traject, self.gebeurtenissen(traject.id, actor)) for traject in self.zoek_trajecten(bsn, actor)]

    def gebeurtenissen_na(self, positie: int, limiet: int, actor: Actor) -> tuple[list[tuple[int, Aggregate.Event]], int]:
        """The facts recorded on behalf of the actor's gemeenten after `positie` in the log, in log order, at
        most `limiet`; and the position read up to, from which a follower goes on (also when a page came
        back short because little in the scanned part was theirs)."""
        door, gelezen = self._vastlegging(actor), 0
        gevonden: list[tuple[int, Aggregate.Event]] = []
        while len(gevonden) < limiet and gelezen < 10 * limiet:  # a sparse follower pages on, never one huge scan
            notificaties = self.recorder.select_notifications(start=positie, limit=limiet, inclusive_of_start=False)
            gelezen += len(notificaties)
            if not notificaties:
                break
            for notificatie in notificaties:
                positie = notificatie.id
                if not notificatie.topic.startswith(Inburgeringstraject.FEITEN):
                    continue  # person registrations and idempotency records are ours, not the followers'
                feit = cast(Aggregate.Event, self.projectiemapper.to_domain_event(notificatie))  # the feed shows no personal field
                gemeente = feit.metadata.gemeente  # type: ignore[attr-defined]
                if gemeente is not None and door.mag_werken_voor(Gemeente(gemeente)):
                    gevonden.append((positie, feit))
                    if len(gevonden) == limiet:
                        break
        return gevonden, positie

    def bsn_van(self, traject_id: UUID) -> str | None:
        """The BSN recorded at the start of a trajectory, while its key exists; for the use cases and
        the access log, never for a reader (they get the trajectory, bound to their purpose)."""
        gestart = next(iter(self.events.get(traject_id, lte=1)), None)
        bsn = getattr(gestart, "bsn", None)
        return None if bsn is None or is_verwijderd(bsn) else cast(str, bsn)

    # -- plumbing ----------------------------------------------------------------------------

    def _vastlegging(self, actor: Actor) -> Vastlegging:
        return Vastlegging(
            gebruiker=actor.gebruiker,
            rol=actor.rol,
            gemeenten=actor.gemeenten,
            correlatie_id=actor.correlatie_id,
            toelichting=actor.toelichting,
            applicatie=actor.applicatie,
            trace_id=actor.trace_id,
            tijdstip=self.klok.nu(),
            vandaag=self.klok.vandaag(),
        )

    @property
    def _bewaarde(self) -> OnveranderlijkeCacheRepository:
        """The repository as `construct_repository` made it, with the aggregates it keeps."""
        return cast(OnveranderlijkeCacheRepository, self.repository)

    def _persoon(self, bsn: str, door: Vastlegging, *, zoek_eerst: bool = True) -> Persoonsregistratie:
        persoon_id, nieuw = self.personen.registreer(bsn, zoek_eerst=zoek_eerst)
        if nieuw:  # an id made just now: no registration to read
            return Persoonsregistratie.nieuw(persoon_id, door)
        try:
            return cast(Persoonsregistratie, self.repository.get(persoon_id))
        except AggregateNotFoundError:
            return Persoonsregistratie.nieuw(persoon_id, door)

    def _vernietig_sleutels(self, traject: Inburgeringstraject, bsn: str | None) -> None:
        """Destroy the keys of the removed classes, after the fact that records it was saved. The
        person registration's key goes first, once no trajectory of the person keeps its BSN, and
        while this trajectory's BSN can still be read to find it; so a removal that stops halfway
        is finished by trying again."""
        if self.sleutels is None:
            return
        if LANG in traject.verwijderd and bsn is not None and (persoon_id := self.personen.zoek(bsn)) is not None:
            try:
                persoon = cast(Persoonsregistratie, self.repository.get(persoon_id))
            except AggregateNotFoundError:
                persoon = None
            if persoon is None or all(
                LANG in cast(Inburgeringstraject, self.repository.get(ander)).verwijderd
                for ander in persoon.trajecten
                if ander != traject.id
            ):
                self.sleutels.vernietig(persoon_id, [LANG])
                self.personen.vergeet(persoon_id)  # the BSN no longer leads anywhere
                self._bewaarde.vergeet(persoon_id)
        self.sleutels.vernietig(traject.id, traject.verwijderd)
        self._bewaarde.vergeet(traject.id)

    def _eerdere_uitkomst(self, actor: Actor, idempotentie: Idempotentie | None) -> Uitkomst | None:
        if idempotentie is None:
            return None
        try:
            opdracht = cast(Opdracht, self.repository.get(opdracht_id(actor.gebruiker, idempotentie.sleutel)))
        except AggregateNotFoundError:
            return None
        opdracht.controleer(idempotentie.vingerafdruk)
        # The first answer again, but only while the actor may still see the trajectory.
        self.traject(opdracht.traject_id, actor)
        traject: Inburgeringstraject = self.repository.get(opdracht.traject_id, version=opdracht.traject_versie)
        return Uitkomst(traject, herhaald=True)

    def _bewaar(
        self,
        traject: Inburgeringstraject,
        actor: Actor,
        idempotentie: Idempotentie | None,
        *andere: Aggregate,
        meeschrijven: object | None = None,
    ) -> Uitkomst:
        """Save the facts in one transaction. `meeschrijven` is what the store writes in that same transaction
        on the caller's behalf (the API's access-log record of the request): opaque to the domain."""
        opdrachten = []
        if idempotentie is not None:
            opdrachten.append(
                Opdracht.verwerkt(
                    actor.gebruiker, idempotentie.sleutel, idempotentie.vingerafdruk, traject.id, traject.version
                )
            )
        try:
            self.save(traject, *andere, *opdrachten, **({} if meeschrijven is None else {"meeschrijven": meeschrijven}))
        except IntegrityError:
            # A concurrent request with the same key won the race: answer as it did.
            if (eerder := self._eerdere_uitkomst(actor, idempotentie)) is not None:
                return eerder
            raise
        self._bewaarde.onthoud(traject, *andere)
        return Uitkomst(traject)
