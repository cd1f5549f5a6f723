# shellcheck shell=bash
# Helpers shared by the scripts in this directory. Source it; it defines functions only.
#
# Everything here logs to stderr, so that stdout stays free for machine-readable output
# (dev-services.sh prints `export` lines on stdout for the Makefile to eval).

KR_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log()  { printf '%s %s\n' "${KR_LOG_PREFIX:-[kolregistry]}" "$*" >&2; }
warn() { printf '%s WARNING: %s\n' "${KR_LOG_PREFIX:-[kolregistry]}" "$*" >&2; }
die()  { printf '%s ERROR: %s\n' "${KR_LOG_PREFIX:-[kolregistry]}" "$*" >&2; exit 1; }

# is_ci: CI=true turns "skip with a warning" into "fail".
is_ci() { [[ "${CI:-}" == "true" ]]; }

# tcp_open HOST PORT: something accepts TCP connections there (bash /dev/tcp, 2 s timeout).
tcp_open() {
	timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# port_in_use PORT: some socket has PORT as its local port (a listener, or a client connection
# that took it as its ephemeral port: a server could not bind it either). Needs ss; without
# it only listeners are seen (tcp_open).
port_in_use() {
	tcp_open 127.0.0.1 "$1" && return 0
	command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Htan "( sport = :$1 )" 2>/dev/null)" ]]
}

# free_port [START]: prints a TCP port on 127.0.0.1 that no socket uses. Random in
# 20000..32767 (below Linux's ephemeral range, so no client connection takes it meanwhile)
# unless START is given, in which case the first free port from START upwards.
free_port() {
	local p i
	for i in $(seq 1 200); do
		if [[ -n "${1:-}" ]]; then p=$(( $1 + i - 1 )); else p=$(( 20000 + RANDOM % 12768 )); fi
		if ! port_in_use "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# pg_bin_dir: the directory holding initdb/pg_ctl/postgres: PATH first, then the newest
# /usr/lib/postgresql/*/bin, then /usr/local/pgsql/bin. Prints nothing when none is found.
pg_bin_dir() {
	local p d
	if p="$(command -v initdb 2>/dev/null)" && command -v pg_ctl >/dev/null 2>&1; then
		# Resolve symlinks (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) so that
		# psql and pg_isready of the same installation are found next to it.
		p="$(readlink -f "$p")"
		dirname "$p"
		return 0
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
		if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
			echo "$d"
			return 0
		fi
	done
	return 0
}

# pg_tool NAME: path of a PostgreSQL client tool (psql, pg_isready): PATH, else the server's bin dir.
pg_tool() {
	local p d
	if p="$(command -v "$1" 2>/dev/null)"; then echo "$p"; return 0; fi
	d="$(pg_bin_dir)"
	if [[ -n "$d" && -x "$d/$1" ]]; then echo "$d/$1"; return 0; fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [[ -x "$d/$1" ]]; then echo "$d/$1"; return 0; fi
	done
	return 1
}

# dsn_with_db DSN NAME: the same DSN pointing at database NAME (URL or key=value form).
dsn_with_db() {
	local dsn="$1" name="$2"
	if [[ "$dsn" =~ ^(postgres|postgresql):// ]]; then
		local rest="${dsn#*://}" scheme="${dsn%%://*}" query="" authority
		if [[ "$rest" == *\?* ]]; then query="?${rest#*\?}"; rest="${rest%%\?*}"; fi
		authority="${rest%%/*}"
		echo "${scheme}://${authority}/${name}${query}"
	else
		echo "$dsn dbname=$name"
	fi
}

# dsn_db DSN: the database name a URL DSN points at (empty when none or key=value form).
dsn_db() {
	local dsn="$1" rest
	[[ "$dsn" =~ ^(postgres|postgresql):// ]] || return 0
	rest="${dsn#*://}"
	rest="${rest%%\?*}"
	[[ "$rest" == */* ]] && echo "${rest#*/}"
	return 0
}

# pg_sql DSN SQL: runs one statement and prints the result rows (unaligned, tuples only). Uses
# psql when installed; otherwise a tiny Go program over github.com/lib/pq (already a dependency)
# compiled once into .data/.tools.
pg_sql() {
	local dsn="$1" sql="$2" psql
	if psql="$(pg_tool psql)"; then
		PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning" "$psql" "$dsn" -X -q -A -t -v ON_ERROR_STOP=1 -c "$sql"
		return $?  # explicit: a bare return in a trap handler reports the status from before the trap
	fi
	local tool="$KR_REPO_ROOT/.data/.tools/pgsql"
	if [[ ! -x "$tool" ]]; then
		local src="$KR_REPO_ROOT/.data/.tools/pgsql-src"
		mkdir -p "$src"
		cat >"$src/main.go" <<-'EOF'
		// pgsql runs one SQL statement (argv[2]) against a DSN (argv[1]) and prints the rows,
		// columns separated by '|'. Used by scripts/ when psql is not installed.
		package main

		import (
			"database/sql"
			"fmt"
			"os"
			"strings"

			_ "github.com/lib/pq"
		)

		func main() {
			db, err := sql.Open("postgres", os.Args[1])
			if err == nil {
				var rows *sql.Rows
				if rows, err = db.Query(os.Args[2]); err == nil {
					cols, _ := rows.Columns()
					for rows.Next() {
						vals := make([]sql.NullString, len(cols))
						ptrs := make([]any, len(cols))
						for i := range vals {
							ptrs[i] = &vals[i]
						}
						if err = rows.Scan(ptrs...); err != nil {
							break
						}
						out := make([]string, len(cols))
						for i, v := range vals {
							out[i] = v.String
						}
						fmt.Println(strings.Join(out, "|"))
					}
					if err == nil {
						err = rows.Err()
					}
				}
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "pgsql:", err)
				os.Exit(1)
			}
		}
		EOF
		(cd "$KR_REPO_ROOT" && go build -o "$tool" ./.data/.tools/pgsql-src) || return 1
	fi
	"$tool" "$dsn" "$sql"
}

# ensure_database ADMIN_DSN NAME: creates database NAME when it does not exist.
ensure_database() {
	local admin="$(dsn_with_db "$1" postgres)" name="$2" exists
	exists="$(pg_sql "$admin" "SELECT 1 FROM pg_database WHERE datname = '$name'")" || return 1
	if [[ "$exists" != "1" ]]; then
		pg_sql "$admin" "CREATE DATABASE \"$name\"" >/dev/null || return 1
		log "created database $name"
	fi
}

# drop_database ADMIN_DSN NAME
drop_database() {
	pg_sql "$(dsn_with_db "$1" postgres)" "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" >/dev/null
}

# wait_http URL SECONDS [PID]: waits until URL answers 2xx; gives up early when PID dies.
wait_http() {
	local url="$1" secs="$2" pid="${3:-}" i
	for i in $(seq 1 $(( secs * 5 ))); do
		if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
		if [[ -n "$pid" ]] && ! alive "$pid"; then return 1; fi
		sleep 0.2
	done
	return 1
}

# stop_pid PID [NAME]: SIGTERM, wait up to 10 s, then SIGKILL.
stop_pid() {
	local pid="$1" i
	[[ -n "$pid" ]] && alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 50); do
		alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.2
	done
	warn "${2:-process $pid} did not stop in 10 s; killing it"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# build_binary OUT: builds ./cmd/kolregistry to OUT.
build_binary() {
	(cd "$KR_REPO_ROOT" && go build -o "$1" ./cmd/kolregistry)
}

# now_ms: milliseconds since the epoch. secs_since T0_MS: "1.234 s" elapsed since T0_MS.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs_since() {
	local d=$(( $(now_ms) - $1 ))
	printf '%d.%03d s' $(( d / 1000 )) $(( d % 1000 ))
}

# shell_quote S: S in single quotes, safe to eval.
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# alive PID: the process exists and is not a zombie (a daemon whose parent is a PID 1 that does
# not reap promptly stays a zombie for a while after it exited).
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	local state
	state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 0
	[[ "$state" != "Z" ]]
}
