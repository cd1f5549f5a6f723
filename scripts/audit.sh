#!/usr/bin/env bash
# audit.sh — GraphQL-over-HTTP conformance check of the real server.
#
# Creates a fresh database (kolregistry_audit_<pid>) on the server DATABASE_URL points at, migrates
# and seeds it (`seed --demo`), runs `kolregistry serve` on a free port, runs every graphql-http
# server audit against /graphql (scripts/audit/audit.mjs), then stops the server and drops the
# database, whatever happens. Exits non-zero when a MUST audit fails; SHOULD/MAY failures are
# printed as warnings.
#
# Needs node >= 18 and npm (the audit package is installed with `npm ci` from the committed
# lock file). Without them the audit is skipped with a warning, or fails when CI=true.
# DATABASE_URL/REDIS_URL come from the Makefile; when DATABASE_URL is unset, dev-services.sh is
# asked for them. Uses $KOLREGISTRY_BIN when set (else builds the binary).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KR_LOG_PREFIX="[audit]"
cd "$KR_REPO_ROOT"

missing_tool() {
	if is_ci; then die "$1 (CI=true: the audit cannot be skipped)"; fi
	warn "$1: skipping the graphql-http audit"
	exit 0
}
command -v node >/dev/null || missing_tool "node is not installed (Node.js >= 18 is needed)"
command -v npm >/dev/null || missing_tool "npm is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 18 )) || missing_tool "node $(node --version) is too old (>= 18 is needed for fetch)"
command -v curl >/dev/null || die "curl is required"

# --- the audit package -----------------------------------------------------------------------
AUDIT_DIR="$KR_REPO_ROOT/scripts/audit"
if ! cmp -s "$AUDIT_DIR/package-lock.json" "$AUDIT_DIR/node_modules/.kolregistry-installed-lock.json"; then
	log "npm ci in scripts/audit"
	(cd "$AUDIT_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
	cp "$AUDIT_DIR/package-lock.json" "$AUDIT_DIR/node_modules/.kolregistry-installed-lock.json"
fi

# --- database, server ------------------------------------------------------------------------
if [[ -z "${DATABASE_URL:-}" ]]; then
	env_out="$(scripts/dev-services.sh)"
	eval "$env_out"
fi
ADMIN_URL="$DATABASE_URL"
AUDIT_DB="kolregistry_audit_$$"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kolregistry-audit.XXXXXX")"
SERVER_PID=""
DB_CREATED=0

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	if [[ -n "$SERVER_PID" ]]; then
		stop_pid "$SERVER_PID" "kolregistry serve"
		log "stopped kolregistry serve (pid $SERVER_PID)"
	fi
	if [[ $rc -ne 0 && -f "$WORK/serve.log" ]]; then
		log "last lines of the server log:"
		tail -n 40 "$WORK/serve.log" | sed 's/^/  | /' >&2
	fi
	if (( DB_CREATED )); then
		drop_database "$ADMIN_URL" "$AUDIT_DB" && log "dropped database $AUDIT_DB"
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

DB_CREATED=1
drop_database "$ADMIN_URL" "$AUDIT_DB"
ensure_database "$ADMIN_URL" "$AUDIT_DB" || die "could not create database $AUDIT_DB"

BIN="${KOLREGISTRY_BIN:-}"
if [[ -z "$BIN" ]]; then
	log "building ./cmd/kolregistry"
	BIN="$WORK/kolregistry"
	build_binary "$BIN"
fi

DATABASE_URL="$(dsn_with_db "$ADMIN_URL" "$AUDIT_DB")"
export DATABASE_URL
log "migrate + seed --demo into $AUDIT_DB"
"$BIN" migrate >&2
"$BIN" seed --demo >&2

PORT="$(free_port)"
export LISTEN_ADDR="127.0.0.1:$PORT"
# The audit sends ~60 requests from one address within seconds: lift the anonymous rate limit.
export RATE_LIMIT_ANON="${RATE_LIMIT_ANON:-1000000}"
log "kolregistry serve on $LISTEN_ADDR"
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
wait_http "http://$LISTEN_ADDR/readyz" 60 "$SERVER_PID" ||
	die "serve did not become ready on http://$LISTEN_ADDR/readyz within 60 s"

# --- the audit -------------------------------------------------------------------------------
node "$AUDIT_DIR/audit.mjs" "http://$LISTEN_ADDR/graphql" ${AUDIT_VERBOSE:+--verbose}
