#!/usr/bin/env bash
# Set up (first time only) and start VERP Workshop on its embedded defaults:
# SQLite and clips under ./data, no other server. Open http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements.txt
exec python -m streamlit run app.py "$@"
