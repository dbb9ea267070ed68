# Sourced by start.sh and test.sh: make .venv once, install the pinned requirements when they change.
requirements="$1"
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$requirements")"
if [ ! -f "$stamp" ]; then
  python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi
