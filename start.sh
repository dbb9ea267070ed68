#!/usr/bin/env bash
# Set up (first time only) and start VERP Workshop on its embedded defaults:
# SQLite and clips under ./data, no other server. Open http://localhost:8501
# One command: the app, and a worker beside it that prepares clips and runs the hourly purge.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements.txt
exec scripts/run.sh "$@"
