#!/usr/bin/env bash
# browser-test.sh — end-to-end tests of the public pages and the explorer in a real browser.
#
# Drives Debian's Chromium (installed with `apt-get install -y chromium` when missing) through
# playwright-core from npm (scripts/browser/package-lock.json; never a downloaded browser build:
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set). Creates a fresh database (kolregistry_browser_<pid>),
# migrates and seeds it, runs `kolregistry serve` on a free port, runs scripts/browser/journey.mjs
# (the reader's journey, the explorer, the network log, accessibility), then stops the server and
# drops the database, whatever happens.
#
#   SCREENSHOTS=docs/screenshots scripts/browser-test.sh   # also refreshes the README's screenshots
#
# Without node/npm, or without Chromium where it cannot be installed (not root), the tests are
# skipped with a warning, or fail when CI=true. Uses $KOLREGISTRY_BIN when set.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KR_LOG_PREFIX="[browser]"
cd "$KR_REPO_ROOT"

missing_tool() {
	if is_ci; then die "$1 (CI=true: the browser tests cannot be skipped)"; fi
	warn "$1: skipping the browser tests"
	exit 0
}
command -v node >/dev/null || missing_tool "node is not installed (Node.js >= 18 is needed)"
command -v npm >/dev/null || missing_tool "npm is not installed"
(( $(node -p 'process.versions.node.split(".")[0]') >= 18 )) || missing_tool "node $(node --version) is too old (>= 18)"

CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
if [[ -z "$CHROMIUM" ]]; then
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
		log "apt-get install -y chromium"
		{ apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; } >&2 ||
			die "could not install chromium"
		CHROMIUM="$(command -v chromium)"
	else
		missing_tool "chromium is not installed (apt-get install -y chromium, as root)"
	fi
fi
export CHROMIUM

BROWSER_DIR="$KR_REPO_ROOT/scripts/browser"
if ! cmp -s "$BROWSER_DIR/package-lock.json" "$BROWSER_DIR/node_modules/.kolregistry-installed-lock.json"; then
	log "npm ci in scripts/browser"
	(cd "$BROWSER_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) >&2
	cp "$BROWSER_DIR/package-lock.json" "$BROWSER_DIR/node_modules/.kolregistry-installed-lock.json"
fi

if [[ -z "${DATABASE_URL:-}" ]]; then
	env_out="$(scripts/dev-services.sh)"
	eval "$env_out"
fi
ADMIN_URL="$DATABASE_URL"
TEST_DB="kolregistry_browser_$$"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kolregistry-browser.XXXXXX")"
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
		drop_database "$ADMIN_URL" "$TEST_DB" && log "dropped database $TEST_DB"
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

DB_CREATED=1
drop_database "$ADMIN_URL" "$TEST_DB"
ensure_database "$ADMIN_URL" "$TEST_DB" || die "could not create database $TEST_DB"

BIN="${KOLREGISTRY_BIN:-}"
if [[ -z "$BIN" ]]; then
	log "building ./cmd/kolregistry"
	BIN="$WORK/kolregistry"
	build_binary "$BIN"
fi

DATABASE_URL="$(dsn_with_db "$ADMIN_URL" "$TEST_DB")"
export DATABASE_URL
log "migrate + seed --demo into $TEST_DB"
"$BIN" migrate >&2
"$BIN" seed --demo >&2

PORT="$(free_port)"
export LISTEN_ADDR="127.0.0.1:$PORT"
export RATE_LIMIT_ANON="${RATE_LIMIT_ANON:-1000000}"
log "kolregistry serve on $LISTEN_ADDR"
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
wait_http "http://$LISTEN_ADDR/readyz" 60 "$SERVER_PID" ||
	die "serve did not become ready on http://$LISTEN_ADDR/readyz within 60 s"

node "$BROWSER_DIR/journey.mjs" "http://$LISTEN_ADDR" ${SCREENSHOTS:+--screenshots "$SCREENSHOTS"}
