#!/usr/bin/env bash
# measure-limits.sh — price, wall time, response bytes and peak RSS of the worst queries one
# may still send within the limits, and of issue 8's two cycle queries (docs/limits.md).
#
#   KOLREGISTRY_BIN=bin/kolregistry scripts/measure-limits.sh
#
# Each query runs against a fresh `kolregistry serve` (so VmHWM is that query's peak) over a
# database of its own holding the demo data (seed --demo), without Redis and without the
# response cache; loopback only. Needs curl and python3; DATABASE_URL names the server to
# create the database on (scripts/dev-services.sh).
set -euo pipefail
BIN=${KOLREGISTRY_BIN:-bin/kolregistry}
: "${DATABASE_URL:?set DATABASE_URL (eval \"\$(scripts/dev-services.sh)\")}"
DB=kolregistry_measure_$$
with_db() { python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$DATABASE_URL" "$1"; }
ADMIN=$(with_db postgres)
BASE=$(with_db "$DB")
psql -q "$ADMIN" -c "CREATE DATABASE $DB" >/dev/null
trap 'psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null' EXIT
DATABASE_URL=$BASE "$BIN" migrate >/dev/null 2>&1
DATABASE_URL=$BASE "$BIN" seed --demo >/dev/null 2>&1
PORT=${MEASURE_PORT:-18931}

measure() { # name query
  local name=$1 query=$2 pid body
  DATABASE_URL=$BASE LISTEN_ADDR=127.0.0.1:$PORT RESPONSE_CACHE=off RATE_LIMIT_ANON=10000000 \
    "$BIN" serve 2>/dev/null &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$query")
  curl -s -o /tmp/measure.$$ -w '%{http_code} %{time_total} %{size_download}\n' \
    -H 'Content-Type: application/json' --data "$body" "http://127.0.0.1:$PORT/graphql" >/tmp/measure.$$.w
  read -r status secs bytes </tmp/measure.$$.w
  local hwm cost code
  hwm=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  cost=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("extensions",{}).get("cost","-"), (d.get("errors") or [{}])[0].get("extensions",{}).get("code","ok"))' /tmp/measure.$$)
  kill -TERM "$pid"; wait "$pid" || true
  printf '| %s | %s | %s s | %s B | %s MB | HTTP %s |\n' "$name" "${cost% *}/${cost#* }" "$secs" "$bytes" "$hwm" "$status"
  rm -f /tmp/measure.$$ /tmp/measure.$$.w
}

cycle_accounts() { # n levels from one influencer (issue 8's first query)
  local q="id"
  for _ in $(seq "$1"); do q="accounts { handle influencer { displayName $q } }"; done
  echo "{ influencers(first: 1) { nodes { $q } } }"
}
cycle_sanctions() { # n levels of relatedDisclosures/relatedSanctions (issue 8's second query)
  local q="id" i
  for i in $(seq "$1"); do
    if (( i % 2 )); then q="relatedDisclosures { id $q }"; else q="relatedSanctions { id $q }"; fi
  done
  echo "{ sanctions(first: 100) { nodes { $q } } }"
}

aliases() { # n sel: n aliases of one selection
  local q="{" i
  for i in $(seq "$1"); do q="$q a$i: $2"; done
  echo "$q }"
}

echo "| query | price/code | wall | response | peak RSS | status |"
echo "|---|---|---|---|---|---|"
measure "account cycle, 3 levels" "$(cycle_accounts 3)"
measure "70 × search(\"an\", first: 20)" "$(aliases 70 'search(query: "an", first: 20) { totalCount nodes { __typename } }')"
measure "250 × sanctions(first: 1) { totalCount }" "$(aliases 250 'sanctions(first: 1) { totalCount }')"
measure "influencers(first: 45), every list" '{ influencers(first: 45) { nodes { id displayName aliases accounts { platform handle } affiliations { mcn { name } } credentials { title issuer } } } }'
measure "sanctions(first: 100) × relatedDisclosures" '{ sanctions(first: 100) { nodes { id decisionNumber fineVnd relatedDisclosures { id productName } } } }'
measure "disclosures(first: 100), brands and related sanctions" '{ disclosures(first: 100) { nodes { id productName brands { name } relatedSanctions { id decisionNumber } } } }'
measure "full introspection (GraphiQL's)" "$(cat "$(dirname "$0")/introspection.graphql" 2>/dev/null || echo '{ __schema { types { name kind description fields(includeDeprecated: true) { name description args { name type { name kind ofType { name kind ofType { name kind } } } } type { name kind ofType { name kind ofType { name kind ofType { name kind } } } } } inputFields { name type { name kind ofType { name kind } } } enumValues(includeDeprecated: true) { name description } possibleTypes { name } interfaces { name } } directives { name locations args { name } } } }')"
measure "issue 8: account cycle, 9 levels" "$(cycle_accounts 9)"
measure "issue 8: sanctions cycle, 10 levels" "$(cycle_sanctions 10)"
