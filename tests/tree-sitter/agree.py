#!/usr/bin/env python3
"""Checks that tree-sitter and `dslc check` agree on which spec files are syntactically valid.

A file is syntactically valid for dslc when `dslc check --format json` reports no lexical or
syntax error (a code E00xx) in it, and for tree-sitter when its tree has no ERROR or MISSING
node. Checked: every `.cohort` file under tests/fixtures, tests/tree-sitter/specs (edge cases
written for this check), examples/ and the directories given, and every file of the fuzz
corpora of the parser and the checker (inputs the fuzzer found interesting, many of them
broken). The script prints one line per disagreement and a summary, and exits 1 when any file
disagrees or when no file was checked.

Usage: agree.py TREE_SITTER DSLC [EXTRA_DIR...]   (run from the repository root)
"""

import json
import pathlib
import subprocess
import sys

GRAMMAR = pathlib.Path("grammar/tree-sitter-cohort")
SPEC_ROOTS = ["tests/fixtures", "tests/tree-sitter/specs", "examples"]
# Fuzz corpora: every regular file is a spec text, whatever its name.
CORPORA = ["fuzz/corpus/parse", "fuzz/corpus/check", "fuzz/regressions/check"]


def dslc_syntax_errors(dslc, spec):
    """The E00xx codes `dslc check` reports in `spec` itself (not in its includes)."""
    run = subprocess.run([dslc, "check", "--format", "json", str(spec)], capture_output=True, text=True)
    codes = []
    for line in run.stdout.splitlines():
        if not line.startswith("{"):
            continue
        diagnostic = json.loads(line)
        in_spec = pathlib.Path(diagnostic.get("file", "")).resolve() == spec.resolve()
        if in_spec and diagnostic.get("code", "").startswith("E00"):
            codes.append(diagnostic["code"])
    return codes


def tree_sitter_errors(tree_sitter, specs):
    """The specs whose tree has an ERROR or MISSING node, from one `tree-sitter parse` run.

    With `--quiet`, tree-sitter prints one line per file with errors, starting with its path and
    a tab; it exits 1 when there is any.
    """
    run = subprocess.run(
        [tree_sitter, "parse", "--quiet", "--grammar-path", str(GRAMMAR.resolve())] + [str(s.resolve()) for s in specs],
        capture_output=True,
        text=True,
    )
    if run.returncode not in (0, 1):
        sys.exit(f"error: tree-sitter parse failed:\n{run.stderr}")
    # Paths are padded to a common width before the tab.
    failed = {pathlib.Path(line.split("\t", 1)[0].rstrip()) for line in run.stdout.splitlines() if "\t" in line}
    if (run.returncode == 1) != bool(failed):
        sys.exit(f"error: could not read tree-sitter's output:\n{run.stdout}\n{run.stderr}")
    return failed


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tree_sitter, dslc = sys.argv[1], sys.argv[2]
    roots = [pathlib.Path(p) for p in SPEC_ROOTS + sys.argv[3:]]
    specs = sorted(spec for root in roots for spec in root.rglob("*.cohort"))
    specs += sorted(f for corpus in CORPORA if pathlib.Path(corpus).is_dir() for f in pathlib.Path(corpus).iterdir() if f.is_file())
    disagreements = 0
    valid = 0
    ts_failed = tree_sitter_errors(tree_sitter, specs) if specs else set()
    for spec in specs:
        codes = dslc_syntax_errors(dslc, spec)
        ts_error = spec.resolve() in ts_failed
        valid += not codes
        if bool(codes) != ts_error:
            disagreements += 1
            dslc_says = f"dslc reports {', '.join(codes)}" if codes else "dslc reports no syntax error"
            ts_says = "tree-sitter has an ERROR node" if ts_error else "tree-sitter parses it cleanly"
            print(f"DISAGREE {spec}: {dslc_says}, {ts_says}")
    print(f"{len(specs)} spec files: {valid} syntactically valid, {len(specs) - valid} with syntax errors")
    print(f"agreement: {len(specs) - disagreements} passed, {disagreements} failed")
    if not specs:
        sys.exit("error: no .cohort file found")
    sys.exit(1 if disagreements else 0)


if __name__ == "__main__":
    main()
