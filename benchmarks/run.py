"""Run storyline's speed benchmarks: `python -m benchmarks.run [NAME ...] [-- ARGS]`.

Every `benchmarks/bench_<name>.py` with a `main(argv: list[str]) -> None` is a benchmark.
With no NAME, lists them. Benchmarks are never part of the unit tests; each prints its
figures, with a baseline measured in the same run where it has one.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    if not argv:
        print("benchmarks:", ", ".join(available()) or "(none)")
        print("run one: python -m benchmarks.run NAME [-- ARGS]")
        return 0
    for name in argv:
        if name not in available():
            print(f"no benchmark {name!r}; available: {', '.join(available())}", file=sys.stderr)
            return 2
        module = importlib.import_module(f"benchmarks.bench_{name}")
        started = time.perf_counter()
        print(f"== {name}")
        module.main(extra)
        print(f"== {name} done in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
