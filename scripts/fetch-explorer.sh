#!/usr/bin/env bash
# fetch-explorer.sh — refresh the GraphiQL explorer's built files in web/explorer/.
#
# The explorer (GET /graphql with Accept: text/html) is served from files embedded in the
# binary, so it works offline and loads nothing from another origin. This script downloads the
# pinned npm packages with `npm pack` (the registry's tarballs, checked against their
# integrity), copies the built UMD files and each package's license into web/explorer/, and
# writes VERSIONS. Commit the result. Bump the versions here, run it, and run make test.
set -euo pipefail

GRAPHIQL_VERSION=3.8.3
REACT_VERSION=18.3.1

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KR_LOG_PREFIX="[fetch-explorer]"
command -v npm >/dev/null || die "npm is required"
out="$KR_REPO_ROOT/web/explorer"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
for pkg in "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" "react-dom@$REACT_VERSION"; do
	log "npm pack $pkg"
	tgz="$(npm pack --silent "$pkg")"
	name="${pkg%@*}"
	mkdir -p "$name" && tar -xzf "$tgz" -C "$name" --strip-components=1
done

mkdir -p "$out"
cp graphiql/graphiql.min.js graphiql/graphiql.min.css "$out/"
cp react/umd/react.production.min.js "$out/"
cp react-dom/umd/react-dom.production.min.js "$out/"
cp graphiql/LICENSE "$out/LICENSE.graphiql"
cp react/LICENSE "$out/LICENSE.react"
cp react-dom/LICENSE "$out/LICENSE.react-dom"
cat >"$out/VERSIONS" <<VERSIONS
graphiql $GRAPHIQL_VERSION (MIT)
react $REACT_VERSION (MIT)
react-dom $REACT_VERSION (MIT)
fetched by scripts/fetch-explorer.sh
VERSIONS
log "wrote $(ls "$out" | wc -l) files to web/explorer"
