#!/usr/bin/env python3
"""Multiplies a SQLite database holding the demo into a province-sized one: the SQLite
twin of scripts/bench-coverage-scale.sql (read its header for what is copied and why).

SQLite has no `jsonb_populate_record`, so the column lists are read from the tables
themselves (`PRAGMA table_info`) and every column is copied as it is except those that
must stay unique, which get the same changes as on PostgreSQL: ids moved by a whole
multiple of the table's largest id, a suffix on household codes, certificate numbers and
benefit references, a citizen ID of `9` and the new id on eleven digits, and one more
middle name per copy.

Usage (the demo first, on an empty database; 5,000 × 100 = 500,000 households):
    giamngheo demo --database-url cov500k.db --households 5000
    python3 scripts/bench-coverage-scale-sqlite.py cov500k.db --copies 100
    giamngheo bench coverage --database-url cov500k.db
Run it once on the freshly loaded demo: a second run would multiply the copies too.
"""

import argparse
import re
import sqlite3
from pathlib import Path


def middle_names():
    """The middle name of each copy with its folded form, from the PostgreSQL script, so
    that both backends get the same names."""
    sql = (Path(__file__).with_name("bench-coverage-scale.sql")).read_text(encoding="utf-8")
    return re.findall(r"\('([^']+)', '([^']+)'\)", sql)


def with_word(column, word_column):
    """`column` with `word_column` inserted after its first word."""
    return (
        f"CASE WHEN instr({column}, ' ') > 0 THEN substr({column}, 1, instr({column}, ' ')) "
        f"|| {word_column} || ' ' || substr({column}, instr({column}, ' ') + 1) "
        f"ELSE {column} END"
    )


def copy_table(db, table, changes):
    columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
    select = ", ".join(changes.get(c, f"t.{c}") for c in columns)
    db.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {select} FROM {table} t, scale_copies c, scale_offsets o"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("--copies", type=int, default=100)
    args = parser.parse_args()

    db = sqlite3.connect(args.database)
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("BEGIN")
    db.execute(
        "CREATE TEMP TABLE scale_offsets AS SELECT "
        "(SELECT MAX(id) FROM households) AS households, "
        "(SELECT MAX(id) FROM members) AS members, "
        "(SELECT MAX(id) FROM classifications) AS classifications, "
        "COALESCE((SELECT MAX(id) FROM benefits), 0) AS benefits"
    )
    words = middle_names()
    db.execute("CREATE TEMP TABLE scale_copies (k INTEGER, word TEXT, folded TEXT)")
    db.executemany(
        "INSERT INTO scale_copies VALUES (?, ?, ?)",
        [(k, *words[(k - 1) % len(words)]) for k in range(1, args.copies)],
    )

    # Rows are appended far faster when the secondary indexes are built once at the end:
    # those written by a migration (not the keys' own) are dropped and made again below.
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('households', 'members', 'classifications', 'benefits')"
    ).fetchall()
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')

    copy_table(db, "households", {
        "id": "t.id + c.k * o.households",
        "code": "t.code || '-' || c.k",
        "head_name": with_word("t.head_name", "c.word"),
        "merged_into": "t.merged_into + c.k * o.households",
        "split_from": "t.split_from + c.k * o.households",
    })
    copy_table(db, "members", {
        "id": "t.id + c.k * o.members",
        "household_id": "t.household_id + c.k * o.households",
        "full_name": with_word("t.full_name", "c.word"),
        "name_folded": with_word("t.name_folded", "c.folded"),
        "citizen_id": "CASE WHEN t.citizen_id IS NULL THEN NULL "
        "ELSE '9' || printf('%011d', t.id + c.k * o.members) END",
    })
    copy_table(db, "classifications", {
        "id": "t.id + c.k * o.classifications",
        "household_id": "t.household_id + c.k * o.households",
        "supersedes": "t.supersedes + c.k * o.classifications",
        "certificate_number": "t.certificate_number || '-' || c.k",
    })
    copy_table(db, "benefits", {
        "id": "t.id + c.k * o.benefits",
        "household_id": "t.household_id + c.k * o.households",
        "member_id": "t.member_id + c.k * o.members",
        "supersedes": "t.supersedes + c.k * o.benefits",
        "reference": "t.reference || '-' || c.k",
    })

    for _, sql in indexes:
        db.execute(sql)

    # The store finds a household by its id through household_homes (migration 0151):
    # a copied household without its row there would not exist for the product.
    db.execute(
        "INSERT INTO household_homes (household_id, home) SELECT h.id, h.home_province "
        "FROM households h WHERE NOT EXISTS "
        "(SELECT 1 FROM household_homes x WHERE x.household_id = h.id)"
    )

    # The counts the reports read are rebuilt from the classifications, as the migrations
    # that made them (0051, 0095) did.
    db.execute("DELETE FROM classification_counts")
    db.execute(
        "INSERT INTO classification_counts (province_code, district_code, commune_code, "
        "period, status, effective_date, valid_until, households) "
        "SELECT province_code, COALESCE(district_code, ''), commune_code, period, status, "
        "effective_date, COALESCE(valid_until, '9999-12-31'), COUNT(*) FROM classifications "
        "GROUP BY province_code, COALESCE(district_code, ''), commune_code, period, status, "
        "effective_date, COALESCE(valid_until, '9999-12-31')"
    )
    db.execute("DELETE FROM classification_village_counts")
    db.execute(
        "INSERT INTO classification_village_counts (province_code, district_code, "
        "commune_code, village_code, period, status, deprived, effective_date, valid_until, "
        "households) "
        "SELECT province_code, COALESCE(district_code, ''), commune_code, village_code, "
        "period, status, CASE WHEN status IN ('poor', 'near_poor') THEN deprived ELSE '' END, "
        "effective_date, COALESCE(valid_until, '9999-12-31'), COUNT(*) FROM classifications "
        "GROUP BY province_code, COALESCE(district_code, ''), commune_code, village_code, "
        "period, status, CASE WHEN status IN ('poor', 'near_poor') THEN deprived ELSE '' END, "
        "effective_date, COALESCE(valid_until, '9999-12-31')"
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    for table in ["households", "members", "classifications", "benefits"]:
        (n,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        print(f"{table}: {n}")


if __name__ == "__main__":
    main()
