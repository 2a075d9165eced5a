#!/usr/bin/env python3
"""The DuckDB equivalent of `giamngheo classify`, to measure the command against: the same
classification of the same CSV in SQL, the thresholds read from the standard's TOML (never
typed here), written as the same CSV columns (household_id, status, deprivation_count,
score_b and, with --reasons, the reasons in Vietnamese, worded as the command words them).

Usage:
  scripts/bulk-classify-duckdb.py STANDARD.toml INPUT.csv OUTPUT.csv [--reasons]
  scripts/bulk-classify-duckdb.py --compare OURS.csv THEIRS.csv
The first form prints the seconds DuckDB took (reading, classifying and writing); the
second checks that two outputs give each household the same status, count and score B
(and the same reasons when both have them), and exits 1 naming the first difference.
Needs the Python wheel (`pip install duckdb`)."""
import sys
import time
import tomllib

import duckdb


def value(figure):
    """A figure of the TOML is `{ value = …, source = … }` or a bare number."""
    return figure["value"] if isinstance(figure, dict) else figure


def grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def classification_sql(standard: dict, source: str, reasons: bool) -> str:
    either_or = standard.get("income_rule", "and") == "either_or"
    minimum = value(standard["min_deprivations"])
    points = value(standard["points_per_indicator"])
    codes = [(i["code"], i["name_vi"]) for i in standard["indicators"]]
    count = " + ".join(f'"{code}"' for code, _ in codes)

    def per_area(pick):
        areas = standard["areas"]
        return "CASE area " + " ".join(
            f"WHEN '{name}' THEN {pick(lines)}" for name, lines in areas.items()
        ) + " END"

    def lines(lines):
        poor = value(lines["poor_line"])
        near = value(lines["near_poor_line"]) if "near_poor_line" in lines else poor
        up_to = value(lines["medium_up_to"]) if "medium_up_to" in lines else near
        score = value(lines["score_a_threshold"]) if "score_a_threshold" in lines else None
        return poor, near, up_to, score

    poor = per_area(lambda l: lines(l)[0])
    near = per_area(lambda l: lines(l)[1])
    up_to = per_area(lambda l: lines(l)[2])
    score_a = per_area(lambda l: "NULL" if lines(l)[3] is None else lines(l)[3])
    # The words of the income test per area, with the lines already grouped.
    def words(pick):
        return per_area(lambda l: quote(pick(*lines(l))))

    at_or_below = words(lambda p, n, u, s: f" ≤ chuẩn nghèo {grouped(p)} đồng")
    between = words(
        lambda p, n, u, s: f" > chuẩn nghèo {grouped(p)} và ≤ chuẩn cận nghèo {grouped(n)} đồng"
    )
    medium = words(
        lambda p, n, u, s: f" > chuẩn {grouped(n)} và ≤ {grouped(u)} đồng: mức sống trung bình"
    )
    above_medium = words(lambda p, n, u, s: f" > mức sống trung bình {grouped(u)} đồng")
    above = words(lambda p, n, u, s: f" > chuẩn {grouped(n)} đồng")
    area_vi = "CASE area WHEN 'rural' THEN 'nông thôn' ELSE 'thành thị' END"
    deprived_names = ", ".join(
        f"CASE WHEN \"{code}\" = 1 THEN {quote(name)} END" for code, name in codes
    )
    poor_at_line = "'poor'" if either_or else "poor_or_near"
    decided_at_line = "FALSE" if either_or else "TRUE"
    reasons_sql = ""
    if reasons:
        reasons_sql = f""",
        concat_ws('; ',
            CASE WHEN score_a IS NOT NULL THEN
                'Điểm A (B1) = ' || score_a || CASE WHEN score_a <= {score_a} THEN ' ≤ ' ELSE ' > ' END
                || 'ngưỡng ' || {score_a} || ' (' || {area_vi} || ')'
            ELSE
                'Thu nhập bình quân ' || replace(format('{{:,}}', income), ',', '.') || ' đồng/người/tháng'
                || CASE WHEN income <= {poor} THEN {at_or_below}
                        WHEN income <= {near} THEN {between}
                        WHEN income <= {up_to} THEN {medium}
                        WHEN {up_to} > {near} THEN {above_medium}
                        ELSE {above} END
                || ' (' || {area_vi} || ')'
            END,
            CASE WHEN decided THEN
                'Thiếu hụt ' || deprivations || ' chỉ số (điểm B = ' || deprivations * {points}
                || ') ' || CASE WHEN deprivations >= {minimum} THEN '≥' ELSE '<' END
                || ' {minimum} chỉ số'
            END,
            CASE WHEN deprivations > 0 THEN 'Chỉ số thiếu hụt: ' || concat_ws(', ', {deprived_names}) END
        ) AS reasons"""
    return f"""
    WITH counted AS (
        SELECT *, ({count}) AS deprivations,
               CASE WHEN ({count}) >= {minimum} THEN 'poor' ELSE 'near_poor' END AS poor_or_near
        FROM {source}
    ), decided AS (
        SELECT *,
            CASE WHEN score_a IS NOT NULL THEN
                     CASE WHEN score_a <= {score_a} THEN poor_or_near ELSE 'not_poor' END
                 WHEN income <= {poor} THEN {poor_at_line}
                 WHEN income <= {near} THEN poor_or_near
                 WHEN income <= {up_to} THEN 'medium'
                 ELSE 'not_poor' END AS status,
            CASE WHEN score_a IS NOT NULL THEN score_a <= {score_a}
                 WHEN income <= {poor} THEN {decided_at_line}
                 ELSE income <= {near} END AS decided
        FROM counted
    )
    SELECT household_id, status, deprivations AS deprivation_count,
           deprivations * {points} AS score_b{reasons_sql}
    FROM decided"""


def classify(standard_path: str, input_path: str, output_path: str, reasons: bool) -> None:
    with open(standard_path, "rb") as f:
        standard = tomllib.load(f)
    codes = [i["code"] for i in standard["indicators"]]
    columns = {"household_id": "VARCHAR", "area": "VARCHAR",
               "income_per_capita": "UBIGINT", "score_a": "UINTEGER"}
    columns.update({code: "UTINYINT" for code in codes})
    source = (
        "(SELECT *, income_per_capita AS income FROM read_csv("
        + quote(input_path)
        + ", header = true, columns = {"
        + ", ".join(f"{quote(k)}: {quote(v)}" for k, v in columns.items())
        + "}))"
    )
    sql = classification_sql(standard, source, reasons)
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(f"COPY ({sql}) TO {quote(output_path)} (HEADER, DELIMITER ',')")
    elapsed = time.perf_counter() - start
    print(f"duckdb {duckdb.__version__} classify{' --reasons' if reasons else ''}: {elapsed:.2f} s")


def compare(ours: str, theirs: str) -> None:
    con = duckdb.connect()
    con.execute(f"CREATE VIEW a AS SELECT * FROM read_csv({quote(ours)}, header = true, all_varchar = true)")
    con.execute(f"CREATE VIEW b AS SELECT * FROM read_csv({quote(theirs)}, header = true, all_varchar = true)")
    both = {c[0] for c in con.execute("DESCRIBE a").fetchall()} & {
        c[0] for c in con.execute("DESCRIBE b").fetchall()
    }
    fields = [c for c in ("status", "deprivation_count", "score_b", "reasons") if c in both]
    counts = con.execute("SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)").fetchone()
    differ = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in fields)
    row = con.execute(
        f"SELECT a.household_id, b.household_id, {', '.join('a.' + c + ', b.' + c for c in fields)} "
        f"FROM a FULL JOIN b USING (household_id) WHERE a.household_id IS NULL "
        f"OR b.household_id IS NULL OR {differ} LIMIT 1"
    ).fetchone()
    if counts[0] != counts[1] or row is not None:
        print(f"different: {counts[0]} and {counts[1]} rows; first difference: {row}")
        sys.exit(1)
    print(f"same: {counts[0]} households, same {', '.join(fields)}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--compare":
        compare(args[1], args[2])
    else:
        classify(args[0], args[1], args[2], "--reasons" in args[3:])
