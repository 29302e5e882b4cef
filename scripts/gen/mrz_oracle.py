"""Verdicts of an independent ICAO 9303 checker on valid and broken MRZs
(issue 15, item 2): the `mrz` package's checkers (PyPI), which share no code
with ours, judge each MRZ; `tests/suite/photo_eval.rs` asserts that our
`mrz_valid` agrees on every one.

The broken MRZs are what OCR and forgers produce and what the standard
forbids: a digit in a name, a third identifier after the given names, an
identifier starting with `<`, a document code no document uses, a wrong check
digit, an unknown country, an impossible date. Where the packages' rules are
not ICAO's (it refuses `AC`, the crew member certificate, and accepts `DP`
passports), those codes are left out.

    python3 scripts/gen/mrz_oracle.py --truth DIR/truth.json --out DIR/oracle.json
"""
import argparse
import json
import pathlib
import random

from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td2 import TD2CodeChecker
from mrz.checker.td3 import TD3CodeChecker

CHECKERS = {"TD1": TD1CodeChecker, "TD2": TD2CodeChecker, "TD3": TD3CodeChecker}


def name_span(fmt, lines):
    """(row, start, end) of the name field."""
    return (2, 0, 30) if fmt == "TD1" else (0, 5, len(lines[0]))


def replace(lines, row, col, text):
    out = list(lines)
    out[row] = out[row][:col] + text + out[row][col + len(text):]
    return out


def mutations(fmt, lines, rng):
    row, start, end = name_span(fmt, lines)
    field = lines[row][start:end]
    letters = [i for i, c in enumerate(field) if c.isalpha()]
    names_end = len(field.rstrip("<"))
    out = []
    if letters:
        out.append(("digit_in_name", replace(lines, row, start + rng.choice(letters), rng.choice("0123456789"))))
    if names_end + 3 <= len(field):
        out.append(("third_identifier", replace(lines, row, start + names_end + 2, "K")))
    if names_end < len(field):
        shifted = ("<" + field)[: len(field)]
        out.append(("leading_filler", replace(lines, row, start, shifted)))
    code_row = 0
    for code in ("N", "T", "S", "G"):
        out.append((f"document_code_{code}", replace(lines, code_row, 0, code)))
    if fmt == "TD1":
        digit_at = (0, 14)
    else:
        digit_at = (1, 9)
    r, c = digit_at
    wrong = str((int(lines[r][c]) + rng.randint(1, 9)) % 10) if lines[r][c].isdigit() else "7"
    out.append(("document_number_check_digit", replace(lines, r, c, wrong)))
    out.append(("unknown_issuer", replace(lines, 0, 2, "XQZ")))
    birth_row, birth_col = (1, 0) if fmt == "TD1" else (1, 13)
    out.append(("month_13", replace(lines, birth_row, birth_col + 2, "13")))
    return out


def verdict(fmt, lines):
    try:
        return bool(CHECKERS[fmt]("\n".join(lines)))
    except Exception:  # the package raises on what it cannot even split
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--truth", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    items = []
    for doc in json.loads(pathlib.Path(args.truth).read_text()):
        fmt, lines = doc["format"], doc["lines"]
        if fmt not in CHECKERS:
            continue
        items.append({"kind": "as_issued", "format": fmt, "lines": lines, "valid": verdict(fmt, lines)})
        for kind, broken in mutations(fmt, lines, rng):
            items.append({"kind": kind, "format": fmt, "lines": broken, "valid": verdict(fmt, broken)})
    pathlib.Path(args.out).write_text(json.dumps(items, indent=1))
    print(f"wrote {len(items)} verdicts to {args.out}")


if __name__ == "__main__":
    main()
