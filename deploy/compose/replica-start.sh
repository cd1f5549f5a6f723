#!/bin/bash
# The streaming replica: on first start clone the primary with pg_basebackup -R (which writes
# standby.signal and primary_conninfo), then run postgres as a hot standby.
set -euo pipefail
if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
	until pg_isready -h postgres -U replicator -q; do sleep 1; done
	pg_basebackup -h postgres -U replicator -D "$PGDATA" -R -X stream -C -S replica1 --no-password
	chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
