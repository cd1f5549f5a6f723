#!/usr/bin/env bash
# dev-services.sh — find or start the PostgreSQL and Redis the registry needs on this machine.
#
#   scripts/dev-services.sh [start]   print `export DATABASE_URL=…` / `export REDIS_URL=…` on stdout
#                                     (the Makefile evals them); everything else goes to stderr
#   scripts/dev-services.sh stop      stop the private servers this script started in the data dir
#   scripts/dev-services.sh status    say what is running in the data dir
#
# Discovery order for PostgreSQL (and likewise for Redis):
#   1. DATABASE_URL (REDIS_URL) from the environment, used as given;
#   2. the private server already running in the data dir (so a second call reuses it);
#   3. a server answering on 127.0.0.1:5432 (127.0.0.1:6379), if it lets user postgres in;
#   4. a private server started here: PostgreSQL from the binaries on PATH or in
#      /usr/lib/postgresql/*/bin, in $KOLREGISTRY_DATA_DIR/pg (run as the `postgres` OS user when
#      called as root; trust auth, UTF-8, listening on 127.0.0.1 and a unix socket inside the data
#      dir); redis-server in $KOLREGISTRY_DATA_DIR/redis (no persistence, daemonized, pidfile).
#      Without redis-server there is no REDIS_URL and the server uses its in-process cache.
# The application database (kolregistry, or $KOLREGISTRY_DB_NAME) is created when missing on any
# server this script found or started (not on a DATABASE_URL given by the caller).
#
# Environment:
#   KOLREGISTRY_PRIVATE_SERVICES=1   skip 1–3: always use private servers (ignores DATABASE_URL/REDIS_URL)
#   KOLREGISTRY_PG_PORT              port of the private PostgreSQL (default 5432, 55432 when forced
#                                    or when 5432 is taken by something that is not usable)
#   KOLREGISTRY_REDIS_PORT           port of the private Redis (default 6379, 56379 likewise)
#   KOLREGISTRY_DATA_DIR             where private servers keep their files (default ./.data)
#   KOLREGISTRY_DB_NAME              application database name (default kolregistry)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KR_LOG_PREFIX="[dev-services]"

MODE="${1:-start}"
FORCED=0
[[ "${KOLREGISTRY_PRIVATE_SERVICES:-}" =~ ^(1|true|yes)$ ]] && FORCED=1
DB_NAME="${KOLREGISTRY_DB_NAME:-kolregistry}"
DATA_DIR="${KOLREGISTRY_DATA_DIR:-$KR_REPO_ROOT/.data}"
mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
chmod 755 "$DATA_DIR" 2>/dev/null || true

# One caller at a time per data dir: two `make` runs starting at once must not both run initdb.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$DATA_DIR/.dev-services.lock"
	flock -w 120 9 || die "another dev-services.sh has held $DATA_DIR/.dev-services.lock for 2 minutes"
fi

# ---------------------------------------------------------------------------------------------
# Running things as the PostgreSQL owner

PG_OS_USER=""
if [[ $EUID -eq 0 ]]; then
	PG_OS_USER=postgres
fi

# as_pg CMD…: runs CMD as the postgres OS user when we are root (PostgreSQL refuses to run as
# root), from / so that an unreadable working directory does not trouble initdb or pg_ctl.
as_pg() {
	if [[ -z "$PG_OS_USER" ]]; then
		(cd / && "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u "$PG_OS_USER" -- "$@")
	elif command -v setpriv >/dev/null 2>&1; then
		(cd / && setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- "$@")
	else
		local q
		q="$(printf '%q ' "$@")"
		(cd / && su -s /bin/sh "$PG_OS_USER" -c "$q")
	fi
}

ensure_pg_os_user() {
	[[ -z "$PG_OS_USER" ]] && return 0
	id "$PG_OS_USER" >/dev/null 2>&1 && return 0
	command -v useradd >/dev/null 2>&1 || die "running as root, there is no '$PG_OS_USER' user to run PostgreSQL as, and no useradd to create one"
	log "creating system user '$PG_OS_USER' to own the private PostgreSQL"
	useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
}

# pg_dir: where the private cluster lives. $DATA_DIR/pg, unless we are root and the postgres user
# cannot reach $DATA_DIR (e.g. a checkout under /root): then a directory under /tmp named after
# the data dir, so that start, reuse and stop all find the same place.
pg_dir() {
	if [[ -n "$PG_OS_USER" ]] && id "$PG_OS_USER" >/dev/null 2>&1 && ! as_pg test -x "$DATA_DIR"; then
		echo "${TMPDIR:-/tmp}/kolregistry-pg-$(printf '%s' "$DATA_DIR" | cksum | cut -d' ' -f1)"
	else
		echo "$DATA_DIR/pg"
	fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

PG_BIN="$(pg_bin_dir)"

pg_answers() { # HOST PORT
	local isready
	if isready="$(pg_tool pg_isready)"; then
		"$isready" -q -h "$1" -p "$2" -t 3
	else
		tcp_open "$1" "$2"
	fi
}

# private_pg_running PGDIR: prints the port of the cluster running in PGDIR, if any.
private_pg_running() {
	local data="$1/data" pid port
	[[ -f "$data/postmaster.pid" ]] || return 1
	pid="$(sed -n 1p "$data/postmaster.pid" 2>/dev/null)" || return 1
	port="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null)" || return 1
	[[ -n "$pid" ]] && alive "$pid" || return 1
	pg_answers 127.0.0.1 "$port" || return 1
	echo "$port"
}

initdb_locale_args() {
	local have
	have="$(locale -a 2>/dev/null | tr 'A-Z' 'a-z')"
	if grep -qx 'c\.utf-\?8' <<<"$have"; then
		echo "--locale=C.UTF-8"
	elif grep -qx 'en_us\.utf-\?8' <<<"$have"; then
		echo "--locale=en_US.UTF-8"
	else
		warn "no UTF-8 locale installed (C.UTF-8 or en_US.UTF-8); the private cluster uses the C locale with UTF-8 encoding"
		echo "--no-locale"
	fi
}

# start_private_pg PORT: prints the port the private cluster listens on.
start_private_pg() {
	local want_port="$1" dir data sock running t0
	[[ -n "$PG_BIN" ]] || die "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH or in /usr/lib/postgresql/*/bin; install PostgreSQL (e.g. apt-get install postgresql) or set DATABASE_URL"
	ensure_pg_os_user
	dir="$(pg_dir)"
	data="$dir/data"
	sock="$dir/socket"
	if running="$(private_pg_running "$dir")"; then
		[[ "$running" != "$want_port" && -n "${KOLREGISTRY_PG_PORT:-}" ]] &&
			warn "private PostgreSQL in $dir already runs on port $running, not $want_port; using it"
		log "reusing private PostgreSQL in $dir on 127.0.0.1:$running"
		echo "$running"
		return 0
	fi
	mkdir -p "$dir"
	[[ "$dir" == "$DATA_DIR/pg" ]] || log "user $PG_OS_USER cannot reach $DATA_DIR; keeping the private cluster in $dir"
	if [[ -n "$PG_OS_USER" ]]; then
		chown "$PG_OS_USER:" "$dir"
	fi
	chmod 700 "$dir"
	if [[ ! -f "$data/PG_VERSION" ]]; then
		# A half-made data dir (initdb interrupted) is not worth keeping.
		rm -rf "$data"
		log "initdb: new cluster in $data ($("$PG_BIN/postgres" --version 2>/dev/null || echo PostgreSQL), as ${PG_OS_USER:-$(id -un)})"
		t0=$(now_ms)
		# shellcheck disable=SC2046
		as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 $(initdb_locale_args) \
			--no-sync --no-instructions >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; die "initdb failed (log above, also in $dir/initdb.log)"; }
		log "initdb done in $(secs_since "$t0")"
		as_pg mkdir -p "$sock"
		local sockets="'$sock'"
		if (( ${#sock} + 20 > 100 )); then
			warn "socket path $sock is too long for a unix socket; the private cluster listens on TCP only"
			sockets="''"
		fi
		# A throwaway development/test cluster: durability is traded for speed (the demo data is
		# re-seeded by `make run`, tests make their own databases).
		as_pg tee -a "$data/postgresql.conf" >/dev/null <<-EOF

		# --- added by scripts/dev-services.sh (private development cluster) ---
		listen_addresses = '127.0.0.1'
		unix_socket_directories = $sockets
		max_connections = 200
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		log_min_messages = warning
		log_line_prefix = '%m [%p] %d '
		EOF
	fi
	t0=$(now_ms)
	# 9>&-: the server must not inherit (and hold forever) the lock on the data dir.
	as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 -o "-p $want_port" start >/dev/null 9>&- ||
		{ tail -n 30 "$dir/postgres.log" >&2 || true; die "could not start the private PostgreSQL (log above, also in $dir/postgres.log)"; }
	log "started private PostgreSQL in $dir on 127.0.0.1:$want_port in $(secs_since "$t0")"
	echo "$want_port"
}

stop_private_pg() {
	local dir data t0
	dir="$(pg_dir)"
	data="$dir/data"
	if [[ -z "$PG_BIN" || ! -f "$data/postmaster.pid" ]]; then
		log "no private PostgreSQL running in $dir"
		return 0
	fi
	t0=$(now_ms)
	as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
		{ warn "pg_ctl stop failed for $data"; return 1; }
	log "stopped private PostgreSQL in $dir in $(secs_since "$t0")"
}

# discover_pg: prints the DSN of the application database.
discover_pg() {
	local port dsn dir
	if (( FORCED )); then
		[[ -n "${DATABASE_URL:-}" ]] && log "KOLREGISTRY_PRIVATE_SERVICES=1: ignoring DATABASE_URL from the environment"
		port="${KOLREGISTRY_PG_PORT:-55432}"
		if [[ -z "${KOLREGISTRY_PG_PORT:-}" ]] && ! private_pg_running "$(pg_dir)" >/dev/null && tcp_open 127.0.0.1 "$port"; then
			port="$(free_port 55432)"
			log "port 55432 is taken; the private PostgreSQL will use $port"
		fi
		port="$(start_private_pg "$port")"
	elif [[ -n "${DATABASE_URL:-}" ]]; then
		log "PostgreSQL: using DATABASE_URL from the environment"
		echo "$DATABASE_URL"
		return 0
	elif dir="$(pg_dir)" && port="$(private_pg_running "$dir")"; then
		log "PostgreSQL: reusing the private server in $dir on 127.0.0.1:$port"
	elif [[ -z "${KOLREGISTRY_PG_PORT:-}" ]] && pg_answers 127.0.0.1 5432; then
		dsn="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
		if pg_sql "$dsn" "SELECT 1" >/dev/null 2>&1; then
			log "PostgreSQL: using the server on 127.0.0.1:5432"
			port=5432
		else
			warn "a PostgreSQL on 127.0.0.1:5432 answers but does not let user postgres in without a password; starting a private one (or set DATABASE_URL)"
			port="$(start_private_pg "$(free_port 55432)")"
		fi
	else
		if [[ -n "${KOLREGISTRY_PG_PORT:-}" ]]; then
			port="$KOLREGISTRY_PG_PORT"
			log "PostgreSQL: KOLREGISTRY_PG_PORT=$port; starting a private server"
		else
			port=5432
			if tcp_open 127.0.0.1 "$port"; then
				port="$(free_port 55432)"
				log "port 5432 is taken by something that is not PostgreSQL; the private server will use $port"
			fi
			log "PostgreSQL: nothing on 127.0.0.1:5432; starting a private server"
		fi
		port="$(start_private_pg "$port")"
	fi
	dsn="postgres://postgres@127.0.0.1:$port/$DB_NAME?sslmode=disable"
	ensure_database "$dsn" "$DB_NAME" || die "could not create database $DB_NAME on 127.0.0.1:$port"
	echo "$dsn"
}

# ---------------------------------------------------------------------------------------------
# Redis

REDIS_DIR="$DATA_DIR/redis"

redis_ping() { # HOST PORT
	local cli reply=""
	if cli="$(command -v redis-cli)"; then
		reply="$(timeout 3 "$cli" -h "$1" -p "$2" ping 2>/dev/null)" || return 1
		[[ "$reply" == "PONG" ]]
	else
		(
			exec 3<>"/dev/tcp/$1/$2" || exit 1
			printf 'PING\r\n' >&3
			IFS= read -r -t 2 reply <&3 || exit 1
			[[ "$reply" == +PONG* ]]
		) 2>/dev/null
	fi
}

# private_redis_running: prints the port of the private Redis, if it runs.
private_redis_running() {
	local pid port
	[[ -f "$REDIS_DIR/redis.pid" && -f "$REDIS_DIR/port" ]] || return 1
	pid="$(cat "$REDIS_DIR/redis.pid")"
	port="$(cat "$REDIS_DIR/port")"
	[[ -n "$pid" ]] && alive "$pid" || return 1
	redis_ping 127.0.0.1 "$port" || return 1
	echo "$port"
}

# start_private_redis PORT: prints the port, or nothing when redis-server is not installed.
start_private_redis() {
	local port="$1" server running i t0
	if running="$(private_redis_running)"; then
		log "reusing private Redis in $REDIS_DIR on 127.0.0.1:$running"
		echo "$running"
		return 0
	fi
	if ! server="$(command -v redis-server)"; then
		[[ -x /usr/bin/redis-server ]] && server=/usr/bin/redis-server
	fi
	if [[ -z "$server" ]]; then
		warn "redis-server is not installed: no REDIS_URL. The API falls back to its in-process cache; Redis-backed tests skip (or fail with CI=true). Install it with: apt-get install redis-server"
		return 0
	fi
	mkdir -p "$REDIS_DIR"
	rm -f "$REDIS_DIR/redis.pid"
	t0=$(now_ms)
	"$server" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
		--dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null 9>&- ||
		die "could not start redis-server (see $REDIS_DIR/redis.log)"
	for i in $(seq 1 50); do
		redis_ping 127.0.0.1 "$port" && break
		sleep 0.1
	done
	redis_ping 127.0.0.1 "$port" || { tail -n 20 "$REDIS_DIR/redis.log" >&2 || true; die "private redis-server did not answer on 127.0.0.1:$port"; }
	echo "$port" >"$REDIS_DIR/port"
	log "started private Redis in $REDIS_DIR on 127.0.0.1:$port in $(secs_since "$t0")"
	echo "$port"
}

stop_private_redis() {
	local pid i
	if [[ ! -f "$REDIS_DIR/redis.pid" ]]; then
		log "no private Redis running in $REDIS_DIR"
		return 0
	fi
	pid="$(cat "$REDIS_DIR/redis.pid")"
	if [[ -n "$pid" ]] && alive "$pid"; then
		kill -TERM "$pid"
		for i in $(seq 1 100); do
			alive "$pid" || break
			sleep 0.1
		done
		alive "$pid" && { warn "redis-server $pid did not stop; killing it"; kill -KILL "$pid" || true; }
		log "stopped private Redis (pid $pid) in $REDIS_DIR"
	fi
	rm -f "$REDIS_DIR/redis.pid" "$REDIS_DIR/port"
}

# discover_redis: prints the Redis URL, or nothing.
discover_redis() {
	local port
	if (( FORCED )); then
		[[ -n "${REDIS_URL:-}" ]] && log "KOLREGISTRY_PRIVATE_SERVICES=1: ignoring REDIS_URL from the environment"
		port="${KOLREGISTRY_REDIS_PORT:-56379}"
		if [[ -z "${KOLREGISTRY_REDIS_PORT:-}" ]] && ! private_redis_running >/dev/null && tcp_open 127.0.0.1 "$port"; then
			port="$(free_port 56379)"
			log "port 56379 is taken; the private Redis will use $port"
		fi
		port="$(start_private_redis "$port")"
	elif [[ -n "${REDIS_URL:-}" ]]; then
		log "Redis: using REDIS_URL from the environment"
		echo "$REDIS_URL"
		return 0
	elif port="$(private_redis_running)"; then
		log "Redis: reusing the private server in $REDIS_DIR on 127.0.0.1:$port"
	elif [[ -z "${KOLREGISTRY_REDIS_PORT:-}" ]] && redis_ping 127.0.0.1 6379; then
		log "Redis: using the server on 127.0.0.1:6379"
		port=6379
	else
		if [[ -n "${KOLREGISTRY_REDIS_PORT:-}" ]]; then
			port="$KOLREGISTRY_REDIS_PORT"
			log "Redis: KOLREGISTRY_REDIS_PORT=$port; starting a private server"
		else
			port=6379
			if tcp_open 127.0.0.1 "$port"; then
				port="$(free_port 56379)"
				log "port 6379 is taken by something that does not answer PING; the private Redis will use $port"
			fi
			log "Redis: nothing on 127.0.0.1:6379; starting a private server"
		fi
		port="$(start_private_redis "$port")"
	fi
	[[ -n "$port" ]] && echo "redis://127.0.0.1:$port/0"
	return 0
}

# ---------------------------------------------------------------------------------------------

case "$MODE" in
start)
	db_url="$(discover_pg)"
	redis_url="$(discover_redis)"
	echo "export DATABASE_URL=$(shell_quote "$db_url")"
	if [[ -n "$redis_url" ]]; then
		echo "export REDIS_URL=$(shell_quote "$redis_url")"
	else
		echo 'unset REDIS_URL'
	fi
	log "DATABASE_URL=$db_url"
	log "REDIS_URL=${redis_url:-(unset: in-process cache)}"
	;;
stop)
	rc=0
	stop_private_pg || rc=1
	stop_private_redis || rc=1
	exit $rc
	;;
status)
	if port="$(private_pg_running "$(pg_dir)")"; then
		log "private PostgreSQL in $(pg_dir): running on 127.0.0.1:$port"
	else
		log "private PostgreSQL in $(pg_dir): not running"
	fi
	if port="$(private_redis_running)"; then
		log "private Redis in $REDIS_DIR: running on 127.0.0.1:$port"
	else
		log "private Redis in $REDIS_DIR: not running"
	fi
	;;
*)
	die "usage: $0 [start|stop|status]"
	;;
esac
