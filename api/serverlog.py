"""The web server's own request log (uvicorn.access) names the path, never the query string: a query may
hold what must not be logged (a BSN sent there by mistake is refused with 400, but it was in the URL).
Used through `--log-config api/serverlog.json` (Makefile `run`, Dockerfile)."""

from __future__ import annotations

import logging


class ZonderQuery(logging.Filter):
    """uvicorn logs (client, method, path?query, HTTP version, status); keep the path only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5 and isinstance(record.args[2], str):
            client, methode, pad, versie, status = record.args
            record.args = (client, methode, pad.split("?", 1)[0], versie, status)
        return True
