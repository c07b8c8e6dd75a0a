#!/usr/bin/env bash
# Start a PostgreSQL server on loopback for the store's tests, with a role and an empty database.
# Installs Debian's postgresql where it is missing. Prints the URL for QUOTEGRAPH_TEST_POSTGRES.
#   .ci/postgres.sh start    |    .ci/postgres.sh stop
set -euo pipefail
action=${1:-start}
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if [ -z "$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"')" ]; then
    pg_createcluster "$version" main >&2
fi
case "$action" in
stop)
    pg_ctlcluster "$version" main stop >&2 || true
    exit 0 ;;
start)
    pg_ctlcluster "$version" main start >&2 2>/dev/null || pg_ctlcluster "$version" main status >/dev/null
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
    su postgres -c "psql -p $port -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'quotegraph'\"" | grep -q 1 \
        || su postgres -c "psql -p $port -qc \"CREATE ROLE quotegraph LOGIN PASSWORD 'quotegraph' CREATEDB\"" >&2
    su postgres -c "psql -p $port -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'quotegraph_test'\"" | grep -q 1 \
        || su postgres -c "createdb -p $port -O quotegraph quotegraph_test" >&2
    echo "postgresql://quotegraph:quotegraph@127.0.0.1:$port/quotegraph_test" ;;
esac
