#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL where it is reachable (required under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${RUXUE_TEST_PG_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}

echo "== tests on SQLite =="
"$PY" -m pytest -q -p no:cacheprovider "$@"

if "$PY" scripts/pg_reachable.py "$PG_URL"; then
  echo "== tests on PostgreSQL =="
  RUXUE_TEST_DATABASE_URL="$PG_URL" "$PY" -m pytest -q -p no:cacheprovider "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL at $PG_URL is not reachable: under CI=true the PostgreSQL run may not be skipped" >&2
  exit 1
else
  echo "PostgreSQL not reachable at $PG_URL: PostgreSQL run skipped (it is required under CI=true)"
fi
