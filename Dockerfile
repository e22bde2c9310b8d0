# Production image: PostgreSQL from settings, non-root, tables created by a one-off migration step.
# Every process takes the same settings: write inburgering.env as README.md shows ("PostgreSQL and production").
#   docker build -t inburgering .
#   docker run --rm --env-file inburgering.env -v /etc/inburgering/jwks.json:/run/secrets/jwks.json:ro inburgering python -m adapters.cli migreer
#   docker run -d -p 8000:8000 --env-file inburgering.env -v ...:/run/secrets/jwks.json:ro inburgering
#   docker run -d --env-file inburgering.env -v ...:/run/secrets/jwks.json:ro inburgering python -m adapters.cli projecteer
#   docker run -d --env-file inburgering.env -v ...:/run/secrets/jwks.json:ro inburgering python -m api.bezorging
# Or all of it, with a PostgreSQL of its own: docker compose up (compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

WORKDIR /app

# Dependencies only (the code is imported from /app, never installed), hash-checked from the lock.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin inburgering

# One COPY per package: a multi-source COPY would flatten their contents.
COPY domain ./domain
COPY projections ./projections
COPY adapters ./adapters
COPY api ./api
COPY openapi ./openapi

USER 10001

# Each worker keeps its counters in files here and every scrape of /metrics adds them up (api/metrics.py).
# Kubernetes: mount an emptyDir here, so that a restarted container starts its counts afresh.
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/inburgering-metrics

# Production refuses to start until every required setting is set (the one message names them all).
# Workers never create tables: several starting at once would race (run `migreer` first).
ENV INBURGERING_OMGEVING=productie \
    INBURGERING_MAAK_TABELLEN=false

EXPOSE 8000
# Liveness (the process answers), not readiness: an orchestrator replaces an unhealthy container, and that
# does not help while the database is away. The slim image has no curl; urlopen fails on any status but 2xx.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health/live', timeout=4)"]
# The server's request log names route templates, never a path or query as sent (api/serverlog.py).
# One JSON object per log line (INBURGERING_LOG_FORMAAT defaults to json; adapters/logopmaak.py), no BSN or token in any.
# The settings are checked once before uvicorn forks its workers (one message, exit 3; README "Settings").
# Proxy headers count only from INBURGERING_VERTROUWDE_PROXIES (api/proxy.py): uvicorn's own, which would
# trust 127.0.0.1 whatever the setting says and rewrite the client before the app can check it, is off.
CMD ["python", "-m", "adapters.startcontrole", "uvicorn", "api.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--no-server-header", "--no-proxy-headers", "--log-config", "api/serverlog.json"]
