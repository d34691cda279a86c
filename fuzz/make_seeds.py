#!/usr/bin/env python3
"""Builds raw seed inputs for the fuzz targets from the repository's fixtures and examples.

Writes into fuzz/work/seeds/<target>/; smoke.sh does not need this. The committed corpora in
fuzz/corpus/ are these seeds after `-merge=1` minimisation (see docs/fuzzing.md).
"""

import hashlib
import pathlib
import random
import re

FUZZ = pathlib.Path(__file__).resolve().parent
REPO = FUZZ.parent
OUT = FUZZ / "work" / "seeds"
SOURCES = [REPO / "tests" / "fixtures", REPO / "examples"]
FILE_REF = re.compile(r'file\("([^"]*)"\)')


def write(target, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def catalog_of(spec):
    """One catalog CSV with every ID of the spec's project: id, template_id and combo_id columns."""
    for d in spec.parents:
        if (d / "dslc.toml").exists():
            data = d / "data"
            if not data.is_dir():
                return None
            rows = []
            for csv in sorted(data.rglob("*.csv")):
                lines = csv.read_text(encoding="utf-8-sig").splitlines()
                if not lines:
                    continue
                header = lines[0].split(",")
                for column, slot in (("id", 0), ("template_id", 1), ("combo_id", 2)):
                    if column in header:
                        k = header.index(column)
                        for line in lines[1:]:
                            cells = line.split(",")
                            if k < len(cells) and cells[k]:
                                row = ["", "", ""]
                                row[slot] = cells[k]
                                rows.append(",".join(row))
            return "\n".join(["id,template_id,combo_id"] + sorted(set(rows))) + "\n"
        if d in SOURCES:
            return None
    return None


def toml_of(spec):
    for d in spec.parents:
        if (d / "dslc.toml").exists():
            text = (d / "dslc.toml").read_text()
            return None if "data_root" in text else text
        if d in SOURCES:
            return None
    return None


def main():
    specs = sorted(p for s in SOURCES for p in s.rglob("*.cohort"))
    # The formatter fixtures' inputs are specs in odd layouts, the formatter's best seeds.
    for messy in sorted((REPO / "tests" / "fixtures" / "format").glob("*.input")):
        write("fmt", messy.read_bytes())
    tables = sorted(p for s in SOURCES for p in s.rglob("*") if p.suffix in (".csv", ".txt"))
    for table in tables:
        write("csv", table.read_bytes())
    rng = random.Random(8)
    for spec in specs:
        raw = spec.read_bytes()
        write("parse", raw)
        write("fmt", raw)
        # An edit for the ParseCache check: one line moved to the end.
        lines = raw.split(b"\n")
        if len(lines) > 2:
            k = rng.randrange(len(lines))
            edited = b"\n".join(lines[:k] + lines[k + 1 :] + [lines[k]])
            write("parse", raw + b"\0" + edited)

        text = raw.decode("utf-8", "replace")
        includes = {"csv": None, "txt": None}
        for ref in FILE_REF.findall(text):
            ext = ref.rsplit(".", 1)[-1].lower()
            target = spec.parent / ref
            if ext in includes and includes[ext] is None and target.is_file():
                includes[ext] = target.read_bytes()
                text = text.replace(f'file("{ref}")', 'file("items/a.csv")' if ext == "csv" else 'file("items/b.txt")')
        parts = [text.encode(), includes["csv"] or b"", includes["txt"] or b""]
        catalog, toml = catalog_of(spec), toml_of(spec)
        if catalog is not None or toml is not None:
            parts.append((catalog or "").encode())
        if toml is not None:
            parts.append(toml.encode())
        while parts[-1] == b"" and len(parts) > 1:
            parts.pop()
        write("check", b"\0".join(parts))
    for n in range(8):
        write("rows", bytes(rng.randrange(256) for _ in range(16 + 24 * n)))


if __name__ == "__main__":
    main()
