#!/usr/bin/env bash
# check-generated.sh — runs `go generate ./...` and fails when that changes the generated code
# (graph/, resolvers/, go.mod, go.sum): the committed executor and resolver stubs must match
# graph/*.graphqls and gqlgen.yml.
#
# On a clean checkout (CI) this is exactly "`git status --porcelain` is empty afterwards". In a
# working tree with uncommitted edits, only what go generate itself changed is reported, so work
# in progress does not fail the check by itself.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KR_LOG_PREFIX="[check-generated]"
cd "$KR_REPO_ROOT"

PATHS=(graph resolvers go.mod go.sum)

snapshot() {
	# Every file under PATHS, tracked or not (ignored files excepted), with its content hash.
	git ls-files -z --cached --others --exclude-standard -- "${PATHS[@]}" |
		sort -zu |
		while IFS= read -r -d '' f; do
			if [[ -f "$f" ]]; then
				printf '%s  %s\n' "$(git hash-object -- "$f")" "$f"
			else
				printf 'deleted  %s\n' "$f"
			fi
		done
}

dirty_before="$(git status --porcelain -- "${PATHS[@]}")"
before="$(snapshot)"
t0=$(now_ms)
log "go generate ./..."
go generate ./...
log "go generate done in $(secs_since "$t0")"
after="$(snapshot)"

if [[ "$before" != "$after" ]]; then
	changed="$(diff <(echo "$before") <(echo "$after") | sed -n 's/^[<>] [^ ]*  //p' | sort -u)"
	log "FAIL: go generate changed generated files; the committed code is out of date with the schema:"
	sed 's/^/    /' <<<"$changed" >&2
	# shellcheck disable=SC2086
	git --no-pager diff --stat -- $changed >&2 || true
	log "run \`make generate\`, review the changes and commit them"
	exit 1
fi
if [[ -n "$dirty_before" ]]; then
	warn "uncommitted changes under graph/ or resolvers/ (go generate left them as they were):"
	sed 's/^/    /' <<<"$dirty_before" >&2
	if is_ci; then die "CI=true: the checkout must be clean"; fi
fi
log "generated code is up to date"
