#!/usr/bin/env python3
"""Writes a `giamngheo classify` input of N households for a standard, for the
classification benchmark (scripts/bulk-classify-duckdb.py). The indicator columns are the
standard's own codes, read from its TOML; the same seed and size give the same file.

Usage: scripts/bulk-classify-input.py STANDARD.toml N OUT.csv [SEED]
About one household in ten is given a score A instead of an income (when the standard has
score-A thresholds), so that both tests are exercised."""
import csv
import random
import sys
import tomllib


def main() -> None:
    standard_path, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 13
    with open(standard_path, "rb") as f:
        standard = tomllib.load(f)
    codes = [i["code"] for i in standard["indicators"]]
    has_score = all("score_a_threshold" in a for a in standard["areas"].values())
    rng = random.Random(seed)
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["household_id", "area", "income_per_capita", "score_a", *codes])
        for i in range(n):
            area = "urban" if rng.random() < 0.3 else "rural"
            if has_score and rng.random() < 0.1:
                income, score = "", str(rng.randint(60, 260))
            else:
                income, score = str(rng.randint(3, 60) * 100_000), ""
            ticks = ["1" if rng.random() < 0.2 else "0" for _ in codes]
            w.writerow([f"H{i:08d}", area, income, score, *ticks])


if __name__ == "__main__":
    main()
