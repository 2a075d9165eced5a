#!/bin/sh
# The physical limit the bulk import is measured against: plain COPY of the same
# registry rows (households, members, audit entries of an imported PostgreSQL database)
# into bare tables without index or key. Prints the seconds; leaves nothing behind.
# Usage: scripts/bulk-copy-baseline.sh DATABASE [DIR]
set -eu
DB=$1
DIR=${2:-/work/tmp-load}
P="psql -h 127.0.0.1 -U postgres -d $DB -q -v ON_ERROR_STOP=1"
TABLES="households members audit_log"
for t in $TABLES; do
    $P -c "\\copy $t to '$DIR/$t.tsv'"
    $P -c "DROP TABLE IF EXISTS bare_$t; CREATE TABLE bare_$t (LIKE $t)"
done
start=$(date +%s.%N)
for t in $TABLES; do
    $P -c "\\copy bare_$t from '$DIR/$t.tsv'"
done
end=$(date +%s.%N)
for t in $TABLES; do
    $P -c "SELECT '$t', COUNT(*) FROM bare_$t" -t
    $P -c "DROP TABLE bare_$t"
    rm -f "$DIR/$t.tsv"
done
echo "plain COPY: $(echo "$end - $start" | bc) s"
