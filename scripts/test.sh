#!/usr/bin/env bash
# The whole suite on SQLite; on PostgreSQL (required under CI=true) the tests that use the
# database under test (tests/support/passes.py; RUXUE_TEST_ALL_PASSES=1 runs every test there too).
# The two passes run one after the other; RUXUE_TEST_SIDE_BY_SIDE=1 runs them side by side (on an
# idle machine with a core to spare for each: some tests time real waits, so it is not the default
# until it has been shown not to make them flaky). Each pass prints its wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${RUXUE_TEST_PG_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}

# Both passes import the same ~480 modules and pytest rewrites the asserts of each test module:
# kept compiled under var/ (ignored by git), the second pass and the next run skip that work.
export PYTHONPYCACHEPREFIX=${PYTHONPYCACHEPREFIX:-$PWD/var/pyc}
unset PYTHONDONTWRITEBYTECODE

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# run_pass NAME live|quiet DATABASE_URL [pytest args…]: one pass, its output shown as it comes
# (live) or kept in $logs/NAME.log (quiet: two passes at once), its status and wall time in
# $logs/NAME.status
run_pass() {
  local name=$1 how=$2 url=$3 start status
  shift 3
  start=$(date +%s)
  [ "$how" = live ] && echo "== tests on $name =="
  set +e
  if [ "$how" = live ]; then
    RUXUE_TEST_DATABASE_URL=$url "$PY" -m pytest -q -p no:cacheprovider "$@"
  else
    RUXUE_TEST_DATABASE_URL=$url "$PY" -m pytest -q -p no:cacheprovider "$@" >"$logs/$name.log" 2>&1
  fi
  status=$?
  set -e
  echo "$status $(($(date +%s) - start))" >"$logs/$name.status"
}

# report NAME: the pass's kept output if any, its outcome and wall time; returns its status
report() {
  local name=$1 status seconds
  read -r status seconds <"$logs/$name.status"
  if [ -f "$logs/$name.log" ]; then
    echo "== tests on $name =="
    cat "$logs/$name.log"
  fi
  echo "== tests on $name: $([ "$status" = 0 ] && echo passed || echo "failed ($status)") in $((seconds / 60)) min $((seconds % 60)) s =="
  return "$status"
}

pg=no
if "$PY" scripts/pg_reachable.py "$PG_URL"; then
  pg=yes
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL at $PG_URL is not reachable: under CI=true the PostgreSQL run may not be skipped" >&2
  exit 1
else
  echo "PostgreSQL not reachable at $PG_URL: PostgreSQL run skipped (it is required under CI=true)"
fi

side_by_side=${RUXUE_TEST_SIDE_BY_SIDE:-0}
mkdir -p var
started=$(date +%s)
failed=0
if [ "$pg" = yes ] && [ "$side_by_side" = 1 ]; then
  echo "SQLite and PostgreSQL passes side by side (output follows when both are done)"
  run_pass SQLite quiet "" "$@" &
  sqlite=$!
  run_pass PostgreSQL quiet "$PG_URL" "$@" &
  wait "$sqlite" "$!"
  report SQLite || failed=1
  report PostgreSQL || failed=1
else
  run_pass SQLite live "" "$@"
  report SQLite || failed=1
  if [ "$pg" = yes ]; then
    run_pass PostgreSQL live "$PG_URL" "$@"
    report PostgreSQL || failed=1
  fi
fi
echo "== tests: $(($(date +%s) - started)) s in all =="
exit "$failed"
