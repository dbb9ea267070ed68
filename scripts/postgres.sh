# Sourced by .ci/run: start a throwaway PostgreSQL server on loopback and export PG_URL.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_dir=$(mktemp -d /tmp/verp-pg.XXXXXX)
chown postgres "$pg_dir"
pg_port=${PG_PORT:-54329}
# Each test has a schema of its own, and page tests keep one pooled store per schema for the whole run:
# more connection slots than a service would need.
runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >/dev/null
runuser -u postgres -- "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres verp_test
export PG_URL="postgresql+psycopg://postgres@127.0.0.1:$pg_port/verp_test"
trap 'runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
