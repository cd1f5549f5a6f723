#!/usr/bin/env bash
# cost.sh: KOL Registry alone on the peer benchmark's database (docs/performance.md), after
# `make bench-peers` has built it and the request bodies. Two modes:
#
#   scripts/bench-peers/cost.sh cpu BIN QUERY [ENV=VALUE ...]
#       the server as run.sh starts it (RESPONSE_CACHE=off), wrk -t2 -c32 3 s warm-up + DURATION
#       (5s), and the CPU per request of the server and of its PostgreSQL backends (utime+stime of
#       /proc/<pid>/stat before and after, divided by the requests). Extra ENV=VALUE go to the
#       server, e.g. GOGC=100; DSN_PARAMS is appended to its DSN, e.g. random_page_cost=4.
#   scripts/bench-peers/cost.sh cached BIN
#       the response cache on, in-process then through REDIS_URL (default redis://127.0.0.1:6379/0;
#       keys are namespaced by the DSN): for ROUNDS rounds, each query right after a run of
#       { __typename } (2 s warm-up each), and per query the median of its rps and of its share of
#       the { __typename } run before it (pairs, so that a machine's drift between runs cancels).
#
# Env: DATABASE_URL (the server holding BENCH_DB), BENCH_DB (kol_bench_peers), DURATION (5s),
# ROUNDS (cached: 3), QUERIES (cached: "A B C D E F G").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bodies="$here/.tools/bodies"
mode="$1" bin="$2"
shift 2
DURATION="${DURATION:-5s}" BENCH_DB="${BENCH_DB:-kol_bench_peers}"
admin="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$admin" "$BENCH_DB")"
if [[ -n "${DSN_PARAMS:-}" ]]; then url="$url&$DSN_PARAMS"; fi
port=18777
log="$here/.tools/cost-server.log"

start() { # start ENV=VALUE...: the server in the background, $kp its pid
	if curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; then
		echo "a server already listens on 127.0.0.1:$port (an earlier run's?): stop it first" >&2
		exit 1
	fi
	env -u REDIS_URL COMPLEXITY_LIMIT=10000 ADMISSION_QUEUE_WAIT=10s DATABASE_URL="$url" \
		LISTEN_ADDR="127.0.0.1:$port" RATE_LIMIT_ANON=10000000000 "$@" "$bin" serve >"$log" 2>&1 &
	kp=$!
	for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && return; sleep 0.2; done
	echo "server did not start, see $log" >&2
	exit 1
}
stop() { kill "$kp"; wait "$kp" 2>/dev/null || true; }
run() { # run QUERY DURATION: wrk's RESULT line
	wrk -t2 -c32 -d"$2" --timeout 10s --latency -s "$here/bench.lua" "http://127.0.0.1:$port/graphql" -- "$bodies/$1.kol.jsonl" | grep '^RESULT'
}
ticks() { awk '{s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13]}' "/proc/$1/stat"; }

case "$mode" in
cpu)
	q="$1"
	shift
	start RESPONSE_CACHE=off "$@"
	run "$q" 3s >/dev/null
	mapfile -t backends < <(psql "$admin" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$BENCH_DB' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
	sum() { local t=0; for p in "${backends[@]}"; do t=$((t + $(ticks "$p"))); done; echo "$t"; }
	k0="$(ticks "$kp")" b0="$(sum)"
	out="$(run "$q" "$DURATION")"
	k1="$(ticks "$kp")" b1="$(sum)"
	n="$(awk '{print $6}' <<<"$out")"
	awk -v q="$q" -v o="$out" -v k="$((k1 - k0))" -v b="$((b1 - b0))" -v n="$n" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
		-v r="$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$kp/status")" \
		'BEGIN {split(o, f, " "); printf "%s: %.0f rps, p50 %.1f ms, p99 %.1f ms, bad %d; CPU per request: server %.3f ms, postgres %.3f ms; load %s; peak RSS %d MB\n", q, f[2], f[3], f[4], f[5], k * 10 / n, b * 10 / n, l, r}'
	stop
	;;
cached)
	echo '{"query":"{ __typename }"}' >"$bodies/T.kol.jsonl"
	rate() { run "$1" 2s >/dev/null; run "$1" "$DURATION" | awk '{if ($5 > 0) print "bad"; else printf "%.0f\n", $2}'; }
	for cache in in-process redis; do
		if [[ "$cache" == redis ]]; then start REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"; else start; fi
		pairs=""
		for _ in $(seq 1 "${ROUNDS:-3}"); do
			for q in ${QUERIES:-A B C D E F G}; do
				t="$(rate T)" r="$(rate "$q")"
				[[ "$t" != bad && "$r" != bad ]] || { echo "$cache $q: wrong responses" >&2; exit 1; }
				pairs="$pairs$q $r $t"$'\n'
			done
		done
		printf '%s' "$pairs" | awk -v cache="$cache" -v loadavg="$(cut -d' ' -f1 /proc/loadavg)" '
			function median(list,   a, n, i, j, x) {
				n = split(list, a, " ")
				for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
				return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			}
			!($1 in rps) { order[++n] = $1 }
			{ rps[$1] = rps[$1] " " $2; share[$1] = share[$1] " " $2 / $3; typ = typ " " $3 }
			END {
				line = sprintf("%s: __typename %.0f", cache, median(typ))
				for (i = 1; i <= n; i++) line = line sprintf(" %s=%.0f (%.0f %%)", order[i], median(rps[order[i]]), 100 * median(share[order[i]]))
				print line "; load " loadavg
			}'
		stop
	done
	;;
*)
	echo "usage: cost.sh cpu BIN QUERY [ENV=VALUE ...] | cost.sh cached BIN" >&2
	exit 2
	;;
esac
