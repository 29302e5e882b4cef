# Starts a private PostgreSQL cluster for tests and benchmarks. Source it.
# Uses Debian's packages, its own data directory, a free port on 127.0.0.1.
# After `pg_start`, VERITRAIL_TEST_DATABASE_URL points at its `postgres` db;
# `pg_stop` stops it and removes the data.

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [ -n "$dir" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
    echo "$dir"
}

# Runs a PostgreSQL tool as the cluster owner (initdb refuses to run as root).
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
    ensure_packages postgresql postgresql-contrib util-linux
    local bin port
    bin=$(pg_bin)
    port=$(free_port)
    PG_DATA=$(mktemp -d /tmp/veritrail-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_DATA"; fi
    log "starting PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_DATA)"
    pg_as_owner "$bin/initdb" -D "$PG_DATA/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
    pg_as_owner "$bin/pg_ctl" -D "$PG_DATA/data" -l "$PG_DATA/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$PG_DATA \
            -c max_connections=500 -c ssl=off -c shared_buffers=256MB \
            -c fsync=${PG_FSYNC:-off} -c synchronous_commit=${PG_SYNCHRONOUS_COMMIT:-off} \
            -c full_page_writes=${PG_FSYNC:-off}" >/dev/null \
        || { cat "$PG_DATA/server.log" >&2; die "PostgreSQL did not start"; }
    export PG_PORT="$port" PG_DATA PG_BIN="$bin"
    export VERITRAIL_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
}

pg_stop() {
    [ -n "${PG_DATA:-}" ] || return 0
    pg_as_owner "$(pg_bin)/pg_ctl" -D "$PG_DATA/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA"
    PG_DATA=""
}
