#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite: unit, app (AppTest) and browser tests.
# Browser tests use Debian's chromium (/usr/bin/chromium); they skip only when it is missing and
# VERP_REQUIRE_BROWSER is unset. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements-dev.txt
exec python -m pytest "$@"
