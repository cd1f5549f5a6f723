#!/usr/bin/env bash
# test-private-services.sh — proves the fresh-machine path of `make run` end to end:
#
#   1. forces private services (KOLREGISTRY_PRIVATE_SERVICES=1) on free ports in a temporary data
#      dir: initdb + start PostgreSQL (as the postgres OS user when root) and redis-server;
#   2. a second dev-services.sh call must reuse them;
#   3. builds the binary, runs `migrate`, `seed --demo` (twice: it must be idempotent) and `serve`
#      on a free port, waits for /readyz;
#   4. runs one GraphQL query and checks that it returns influencers;
#   5. stops the server and the private PostgreSQL/Redis and removes the temp dir, whatever happens.
#
# Prints each step; exits non-zero on any failure. Uses $KOLREGISTRY_BIN when set (else builds).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KR_LOG_PREFIX="[test-private-services]"
cd "$KR_REPO_ROOT"

command -v curl >/dev/null || die "curl is required"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/kolregistry-private.XXXXXX")"
chmod 755 "$TMP" # the postgres OS user must be able to reach the data dir
SERVER_PID=""
STARTED=0
T_ALL=$(now_ms)

cleanup() {
	local rc=$? t0
	trap - EXIT INT TERM
	set +e
	if [[ -n "$SERVER_PID" ]]; then
		stop_pid "$SERVER_PID" "kolregistry serve"
		log "stopped kolregistry serve (pid $SERVER_PID)"
	fi
	if (( STARTED )); then
		t0=$(now_ms)
		scripts/dev-services.sh stop 2>&1 | sed 's/^/  /' >&2
		log "stopped private services in $(secs_since "$t0")"
		local pgpid
		pgpid="$(pgrep -f -- "-D $TMP/" 2>/dev/null | head -n1)"
		if [[ -n "$pgpid" ]]; then
			warn "a server is still running from $TMP (pid $pgpid)"
			rc=1
		fi
	fi
	if [[ $rc -ne 0 && -f "$TMP/serve.log" ]]; then
		log "last lines of the server log:"
		tail -n 40 "$TMP/serve.log" | sed 's/^/  | /' >&2
	fi
	rm -rf "$TMP"
	log "removed $TMP"
	if [[ $rc -eq 0 ]]; then
		log "PASS: private PostgreSQL + Redis, migrate, seed --demo, serve and a query all worked ($(secs_since "$T_ALL"))"
	else
		log "FAIL (exit $rc) after $(secs_since "$T_ALL")"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { log "== $*"; }

# --- 1. private services ---------------------------------------------------------------------
unset DATABASE_URL DATABASE_READ_URL REDIS_URL TEST_DATABASE_URL
export KOLREGISTRY_PRIVATE_SERVICES=1
export KOLREGISTRY_DATA_DIR="$TMP/data"
# Ports below Linux's ephemeral range (32768–60999): a client connection of an earlier test
# cannot hold them between the check and the bind.
KOLREGISTRY_PG_PORT="$(free_port 25432)"
KOLREGISTRY_REDIS_PORT="$(free_port 26379)"
export KOLREGISTRY_PG_PORT KOLREGISTRY_REDIS_PORT

step "starting private services in $KOLREGISTRY_DATA_DIR (PostgreSQL :$KOLREGISTRY_PG_PORT, Redis :$KOLREGISTRY_REDIS_PORT)"
STARTED=1
t0=$(now_ms)
env_out="$(scripts/dev-services.sh)"
log "services up in $(secs_since "$t0")"
eval "$env_out"
[[ "$DATABASE_URL" == *"127.0.0.1:$KOLREGISTRY_PG_PORT/"* ]] || die "DATABASE_URL does not point at the private server: $DATABASE_URL"

pgpid="$(sed -n 1p "$TMP/data/pg/data/postmaster.pid" 2>/dev/null || true)"
if [[ -n "$pgpid" ]]; then
	owner="$(ps -o user= -p "$pgpid" | tr -d ' ')"
	log "private PostgreSQL runs as OS user '$owner' (pid $pgpid)"
	if [[ $EUID -eq 0 && "$owner" != "postgres" ]]; then die "running as root, the private PostgreSQL should run as postgres, not $owner"; fi
fi
if command -v redis-server >/dev/null || [[ -x /usr/bin/redis-server ]]; then
	[[ "${REDIS_URL:-}" == "redis://127.0.0.1:$KOLREGISTRY_REDIS_PORT/0" ]] || die "expected the private Redis, got REDIS_URL=${REDIS_URL:-(unset)}"
else
	warn "redis-server is not installed: checking the path without Redis"
fi

step "calling dev-services.sh again: it must reuse the running servers"
env_again="$(scripts/dev-services.sh)"
[[ "$env_again" == "$env_out" ]] || die "second call gave different services: $env_again"

# --- 2. build, migrate, seed -----------------------------------------------------------------
BIN="${KOLREGISTRY_BIN:-}"
if [[ -z "$BIN" ]]; then
	step "building ./cmd/kolregistry"
	BIN="$TMP/kolregistry"
	build_binary "$BIN"
else
	BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
	[[ -x "$BIN" ]] || die "KOLREGISTRY_BIN=$BIN is not executable"
fi

step "kolregistry migrate"
"$BIN" migrate
step "kolregistry migrate (again: idempotent)"
"$BIN" migrate
step "kolregistry seed --demo"
"$BIN" seed --demo
step "kolregistry seed --demo (again: idempotent)"
"$BIN" seed --demo

# --- 3. serve --------------------------------------------------------------------------------
PORT="$(free_port)"
export LISTEN_ADDR="127.0.0.1:$PORT"
step "kolregistry serve on $LISTEN_ADDR"
"$BIN" serve >"$TMP/serve.log" 2>&1 &
SERVER_PID=$!
t0=$(now_ms)
wait_http "http://$LISTEN_ADDR/readyz" 60 "$SERVER_PID" ||
	die "serve did not become ready on http://$LISTEN_ADDR/readyz within 60 s"
log "ready in $(secs_since "$t0"): /readyz says $(curl -fsS --max-time 5 "http://$LISTEN_ADDR/readyz" | head -c 300)"

# --- 4. one query ----------------------------------------------------------------------------
QUERY='{ influencers(first: 3) { totalCount nodes { displayName } } }'
step "POST /graphql $QUERY"
body="$(jq -cn --arg q "$QUERY" '{query: $q}' 2>/dev/null || printf '{"query":"%s"}' "$QUERY")"
answer="$(curl -sS --max-time 30 -H 'Content-Type: application/json' -H 'Accept: application/graphql-response+json, application/json' \
	--data "$body" "http://$LISTEN_ADDR/graphql")" || die "the query failed"
log "answer: $(head -c 500 <<<"$answer")"

check_answer() {
	if command -v jq >/dev/null; then
		jq -e '(.errors | length // 0) == 0 and .data.influencers.totalCount > 0 and (.data.influencers.nodes | length) > 0
		       and all(.data.influencers.nodes[]; (.displayName | type) == "string" and .displayName != "")' >/dev/null <<<"$answer"
	elif command -v node >/dev/null; then
		node -e '
			const a = JSON.parse(require("fs").readFileSync(0, "utf8"));
			const c = a.data && a.data.influencers;
			const ok = !(a.errors && a.errors.length) && c && c.totalCount > 0 && c.nodes.length > 0 &&
				c.nodes.every((n) => typeof n.displayName === "string" && n.displayName !== "");
			process.exit(ok ? 0 : 1);' <<<"$answer"
	else
		grep -q '"totalCount":[1-9]' <<<"$answer" && grep -q '"displayName":"' <<<"$answer" && ! grep -q '"errors"' <<<"$answer"
	fi
}
check_answer || die "the answer has no influencers (or has errors)"
log "the answer has data"
