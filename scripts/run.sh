#!/usr/bin/env bash
# Start the app and one media worker beside it (used by start.sh, and by the browser tests exactly so).
# The worker runs in the background and is stopped when the app stops, however it stops.
# Arguments go to `streamlit run`.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m verp worker &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
python -m streamlit run app.py "$@"
