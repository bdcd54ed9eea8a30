"""The fuzz tests of CI with a larger example budget: the long run.

    python bench/fuzz.py [--scale 10]

Runs tests/integration/test_fuzz_api.py and test_fuzz_loaders.py with `FUZZ_EXAMPLES=<scale>`
(CI runs scale 1) and prints what they counted: requests per endpoint, status codes, files
indexed and refused, the slowest batch, and the pytest result.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from common import ROOT

TESTS = ["tests/integration/test_fuzz_api.py", "tests/integration/test_fuzz_loaders.py"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    args = parser.parse_args()
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *TESTS],
        cwd=ROOT, env=dict(os.environ, FUZZ_EXAMPLES=str(args.scale)), capture_output=True,
        text=True)
    lines = run.stdout.splitlines()
    for line in lines:
        if line.startswith(("fuzz cases:", "loader fuzz:")):
            print(line)
    print(lines[-1] if lines else run.stderr[-2000:])
    print(f"scale {args.scale:g}, {time.perf_counter() - started:.0f} s")
    sys.exit(run.returncode)


if __name__ == "__main__":
    main()
