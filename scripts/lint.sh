#!/usr/bin/env bash
# lint.sh — the readability gates of `make test`:
#   1. gofmt: every tracked .go file is formatted (gofmt -l prints nothing);
#   2. staticcheck (honnef.co/go/tools, pinned below) reports nothing on ./... (tests included).
# staticcheck is installed on first use into bin/tools/ (git-ignored) with `go install`, so a fresh
# machine needs only Go and the module proxy; its default checks apply (it filters findings in generated files
# itself).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KR_LOG_PREFIX="[lint]"
cd "$KR_REPO_ROOT"

STATICCHECK_VERSION="v0.8.2"
GO="${GO:-go}"

mapfile -t files < <(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*' -not -path './.data/*')
unformatted="$(gofmt -l "${files[@]}")"
if [[ -n "$unformatted" ]]; then
	die "gofmt: these files are not formatted (run gofmt -w on them):
$unformatted"
fi
log "gofmt: ${#files[@]} files formatted"

dir="bin/tools/staticcheck-$STATICCHECK_VERSION"
if [[ ! -x "$dir/staticcheck" ]]; then
	log "installing staticcheck $STATICCHECK_VERSION into $dir"
	GOBIN="$KR_REPO_ROOT/$dir" "$GO" install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
fi
"$dir/staticcheck" ./...
log "staticcheck $STATICCHECK_VERSION: no findings"
