"""Clocks: the system clock for production, a fixed one for tests and demos."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


NEDERLAND = ZoneInfo("Europe/Amsterdam")


class SysteemKlok:
    """Recorded times in UTC; 'today' is the date in the Netherlands, where the law is applied."""

    def nu(self) -> datetime:
        return datetime.now(UTC)

    def vandaag(self) -> date:
        return datetime.now(NEDERLAND).date()


class VasteKlok:
    """A clock that stands still until it is moved."""

    def __init__(self, tijdstip: datetime) -> None:
        self.tijdstip = tijdstip

    def nu(self) -> datetime:
        return self.tijdstip

    def vandaag(self) -> date:
        return self.tijdstip.astimezone(NEDERLAND).date()
