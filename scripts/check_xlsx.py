#!/usr/bin/env python3
"""Reads every report workbook the Rust tests wrote back with openpyxl, an independent
reader, and checks it against the report's JSON beside it: the national motto and the
signature block, the title, every heading in a merged header, the figures, and the number
formats (counts `1.500.000` in every locale, rates with two decimals).

Usage: scripts/check_xlsx.py DIR   (DIR holds NAME.xlsx and NAME.json pairs; a JSON list
describes a workbook with one sheet per report, in order, as `per_unit=1` writes it)
Exits 1 naming each problem; 2 when DIR holds no workbook (the tests did not run).
"""
import json
import pathlib
import sys

import openpyxl

COUNT_FORMAT = r"[>=1000000]#\.###\.##0;[>=1000]#\.##0;0"
RATE_FORMAT = "[$-42A]0.00"


def check(xlsx: pathlib.Path, expected) -> list:
    reports = expected if isinstance(expected, list) else [expected]
    wb = openpyxl.load_workbook(xlsx)
    if len(wb.worksheets) != len(reports):
        return [f"{len(wb.worksheets)} sheets, expected {len(reports)}"]
    problems = []
    for ws, report in zip(wb.worksheets, reports):
        problems += [f"sheet {ws.title!r}: {p}" for p in check_sheet(ws, report)]
    return problems


def check_sheet(ws, report: dict) -> list:
    problems = []
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for needed in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG ĐƠN VỊ",
        report["title"],
        "Đơn vị",
    ]:
        if needed not in texts:
            problems.append(f"text missing: {needed!r}")
    if not any(t.startswith(report["place"] + ", ngày ") for t in texts):
        problems.append("place and date line missing")
    for col in report["columns"]:
        for h in col["heading"]:
            if h not in texts:
                problems.append(f"heading missing: {h!r}")
    merged = [str(r) for r in ws.merged_cells.ranges]
    if not merged:
        problems.append("no merged cells")
    # The header's label cell "Đơn vị" spans every header row.
    depth = max(len(c["heading"]) for c in report["columns"])
    label = next(c for row in ws.iter_rows() for c in row if c.value == "Đơn vị")
    if depth > 1 and not any(
        r.min_row == label.row and r.min_col == 1 and r.max_row == label.row + depth - 1
        for r in ws.merged_cells.ranges
    ):
        problems.append(f"label cell not merged over {depth} header rows ({merged})")
    # The data rows follow the header (and the numbers row when the report has one).
    first = label.row + depth + (1 if report["numbered"] else 0)
    for i, row in enumerate(report["rows"]):
        r = first + i
        if ws.cell(r, 1).value != row["label"]:
            problems.append(f"row {r}: label {ws.cell(r, 1).value!r} != {row['label']!r}")
            continue
        for j, (value, col) in enumerate(zip(row["values"], report["columns"])):
            cell = ws.cell(r, j + 2)
            if value is None:
                if cell.value is not None:
                    problems.append(f"{cell.coordinate}: {cell.value!r}, expected empty")
                continue
            if cell.value is None or abs(float(cell.value) - value) > 1e-9:
                problems.append(f"{cell.coordinate}: {cell.value!r} != {value!r}")
            want = RATE_FORMAT if col["format"] == "rate" else COUNT_FORMAT
            if cell.number_format != want:
                problems.append(f"{cell.coordinate}: format {cell.number_format!r} != {want!r}")
    return problems


def main() -> int:
    folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/tmp/report-xlsx")
    books = sorted(folder.glob("*.xlsx"))
    if not books:
        print(f"no .xlsx in {folder}: run the cargo tests first", file=sys.stderr)
        return 2
    failed = 0
    for book in books:
        report = json.loads(book.with_suffix(".json").read_text(encoding="utf-8"))
        problems = check(book, report)
        for p in problems:
            print(f"{book.name}: {p}", file=sys.stderr)
        failed += bool(problems)
    print(f"check_xlsx: {len(books) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
