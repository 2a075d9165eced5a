#!/bin/sh
# The load measurement of the README's speed table, in one command: fills a database
# with `demo --national` (unless it already has households), adds a province office user,
# starts a release server on it and runs `giamngheo bench load` over the mix of pages and
# then over each page alone, 100 connections for 20 s each (DURATION=10 for 10 s).
#
# Usage: scripts/bench-load.sh sqlite|postgres [HOUSEHOLDS] [PROVINCE]
#   sqlite   uses /work/tmp-load/national-HOUSEHOLDS.db
#   postgres uses the database national_HOUSEHOLDS at 127.0.0.1:5432 (made if missing)
# Build first: cargo build --release -p giamngheo (the binary is taken from
# $CARGO_TARGET_DIR, or target/). Check `df -h /work` first: 500,000 households take
# about 1.5 GB on SQLite.
set -eu
BACKEND=$1
N=${2:-500000}
PROVINCE=${3:-38}
B=${CARGO_TARGET_DIR:-target}/release/giamngheo
DIR=/work/tmp-load
PORT=8097
mkdir -p "$DIR"
case $BACKEND in
    sqlite) URL=$DIR/national-$N.db ;;
    postgres)
        URL=postgres://postgres@127.0.0.1:5432/national_$N
        psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'national_$N'" \
            | grep -q 1 || createdb -h 127.0.0.1 -U postgres "national_$N"
        ;;
    *) echo "usage: $0 sqlite|postgres [HOUSEHOLDS] [PROVINCE]" >&2; exit 2 ;;
esac
if [ ! -e "$DIR/national-$N-$BACKEND.filled" ]; then
    /usr/bin/time -f "demo --national: %e s, peak %M KB" \
        $B demo --national --households "$N" --database-url "$URL"
    touch "$DIR/national-$N-$BACKEND.filled"
fi
# The office of one province (Thanh Hóa, 38, by default): its dashboard is the province's
# and its list the province's households; the commune pages are of its first household.
echo 'bench load password' | $B user add bench.office --role office --unit "$PROVINCE" \
    --password-stdin --database-url "$URL" >/dev/null 2>&1 || true
$B serve --database-url "$URL" --listen 127.0.0.1:$PORT >"$DIR/serve-$BACKEND.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:$PORT/healthz >/dev/null; do sleep 1; done
load() {
    $B bench load --url http://127.0.0.1:$PORT --username bench.office \
        --password 'bench load password' --connections 100 --duration "${DURATION:-20}" \
        --server-pid $SERVER "$@"
}
echo "== $BACKEND, $N households, mix, load average $(cut -d' ' -f1-3 /proc/loadavg)"
load
for page in list household search report dashboard poor; do
    echo "== $BACKEND, $N households, $page alone, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    load --only "$page"
done
