"""Our own connection to a SQLite file (the key store, the person register, the log, the read models) when another
connection holds the file longer than a statement waits: the request hears that the store is unavailable for now
(the event store's OperationalError, which the API answers with 503), and the connection stays usable."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from eventsourcing.persistence import OperationalError

from adapters.sqlverbinding import SqliteVerbinding, voorbijgaand


def test_a_commit_that_waited_in_vain_is_rolled_back_and_the_connection_stays_usable(tmp_path: Path) -> None:
    pad = tmp_path / "sleutels.db"
    verbinding = SqliteVerbinding(pad, wis_grondig=True, wachttijd=0.2)  # as the key store: a rollback journal
    try:
        with verbinding.transactie() as cursor:
            cursor.execute("CREATE TABLE t (x INTEGER)")

        # Given a reader in another process that holds the file while a write wants to commit
        with closing(sqlite3.connect(pad, isolation_level=None)) as lezer:
            lezer.execute("BEGIN")
            assert lezer.execute("SELECT count(*) FROM t").fetchall() == [(0,)]  # a read transaction: the file is shared
            # When the write's COMMIT waits longer than it may
            with pytest.raises(OperationalError) as fout:
                with verbinding.transactie() as cursor:
                    cursor.execute("INSERT INTO t VALUES (1)")
            # Then it is a passing unavailability (503), not an internal error
            assert voorbijgaand(fout.value)
            lezer.execute("COMMIT")

        # And the connection is usable again, with nothing of the failed write in the file
        with verbinding.transactie() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")
        with verbinding.eenmalig() as cursor:
            assert cursor.execute("SELECT x FROM t").fetchall() == [(2,)]
    finally:
        verbinding.close()
