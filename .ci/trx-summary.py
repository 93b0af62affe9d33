#!/usr/bin/env python3
"""Print 'N passed, N failed[, N skipped]' from the TRX files in a directory (and list failures)."""
import glob
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def main(directory):
    passed = failed = skipped = 0
    failures = []
    files = glob.glob(f"{directory}/**/*.trx", recursive=True)
    for path in files:
        root = ET.parse(path).getroot()
        for result in root.iter(f"{NS}UnitTestResult"):
            outcome = result.get("outcome", "")
            if outcome == "Passed":
                passed += 1
            elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
                failed += 1
                failures.append(result.get("testName", "?"))
            else:  # NotExecuted, Inconclusive, ...
                skipped += 1
    if not files:
        print("no TRX results found in " + directory, file=sys.stderr)
        return 1
    for name in failures:
        print(f"FAILED: {name}")
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "TestResults"))
