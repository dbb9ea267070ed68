#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite: unit, app (AppTest) and browser tests.
# Browser tests use Debian's chromium (/usr/bin/chromium); they skip only when it is missing and
# VERP_REQUIRE_BROWSER is unset. Arguments, if any, go to one pytest run instead.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements-dev.txt
if [ $# -eq 0 ]; then
  # The whole suite: the tests without a browser two at a time (pytest-xdist; each test has its own
  # folder and database), then the browser tests one at a time (each starts its own servers and Chromium).
  python -m pytest -m "not browser" -n 2
  exec python -m pytest -m browser
fi
exec python -m pytest "$@"
