#!/usr/bin/env bash
# make serve: gunicorn with $WORKERS sync workers on $HOST:$PORT, and the timer scheduler as a
# process of its own beside it (the web workers never run timer sweeps). Ctrl-C stops both.
# DATABASE_URL picks the database (default: the SQLite file in instance/); see README "Deploying".
set -euo pipefail
cd "$(dirname "$0")/.."
: "${WORKERS:=2}" "${HOST:=127.0.0.1}" "${PORT:=8000}"
export SCHEDULER_ENABLED=0  # no sweeps inside the web workers; the process below does them

.venv/bin/flask --app app scheduler run &
scheduler=$!
trap 'kill "$scheduler" 2>/dev/null; wait "$scheduler" 2>/dev/null || true' EXIT INT TERM

echo "One Window on http://$HOST:$PORT/ ($WORKERS gunicorn workers; scheduler pid $scheduler)"
.venv/bin/gunicorn --workers "$WORKERS" --bind "$HOST:$PORT" --access-logfile - wsgi:app
