#!/usr/bin/env bash
# make release: versioned, static binaries of kolregistry for each platform in dist/, with
# SHA256SUMS (docs/cli.md, "Versions and releases").
#
#   VERSION    the release name (default: git describe --tags --always --dirty)
#   PLATFORMS  GOOS/GOARCH list (default: linux/amd64 linux/arm64)
#   DIST       output directory (default: dist)
#
# The build date is the commit's date, not now, so the same commit builds the same bytes
# (with -trimpath and -buildid= the output depends only on the source and the Go version).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
KR_LOG_PREFIX="[release]"

GO="${GO:-go}"
VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}"
COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
	COMMIT="${COMMIT}+dirty"
fi
DATE="$(TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)"
PLATFORMS="${PLATFORMS:-linux/amd64 linux/arm64}"
DIST="${DIST:-dist}"

pkg=github.com/kolregistry/kolregistry/server
ldflags="-s -w -buildid= -X ${pkg}.version=${VERSION} -X ${pkg}.commit=${COMMIT} -X ${pkg}.date=${DATE}"

rm -rf "$DIST"
mkdir -p "$DIST"
for platform in $PLATFORMS; do
	goos="${platform%/*}" goarch="${platform#*/}"
	out="$DIST/kolregistry-${VERSION}-${goos}-${goarch}"
	[[ "$goos" == windows ]] && out+=".exe"
	log "building $out"
	# CGO_ENABLED=0: a static binary that runs on any Linux, including a scratch/distroless image.
	CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" "$GO" build -trimpath -ldflags "$ldflags" -o "$out" ./cmd/kolregistry
done
(cd "$DIST" && sha256sum kolregistry-* > SHA256SUMS)
log "wrote $DIST/SHA256SUMS:"
cat "$DIST/SHA256SUMS" >&2

# The native binary, if one was built, must report what was stamped into it.
native="$DIST/kolregistry-${VERSION}-$("$GO" env GOOS)-$("$GO" env GOARCH)"
if [[ -x "$native" ]]; then
	got="$("$native" --version)"
	[[ "$got" == "kolregistry ${VERSION} commit ${COMMIT} built ${DATE} "* ]] || die "--version says '$got'"
	log "$got"
fi
