"""Several analysts at once while another process writes: a bounded loopback load test of the
web UI (not in the suite; tests/web/test_load.py runs a small one).

    python bench/bench_web_load.py [--case CASE] [--sessions 16] [--seconds 60] [--hold 2] [--pause 1]

Copies the case (default: the web tests' fixture case; pass the demo's with --case) to a
temporary folder, serves it with `create_app` in its own process, runs the sessions against it
while a writer process holds SQLite's write lock `--hold` seconds out of every `--hold + --pause`
(as ingest or analyze transactions do), and prints requests/s, latency percentiles, status
codes, errors, lost writes, the audit chain's state and the server's memory over time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.web.loadgen import run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, help="case folder to copy (default: the web test fixture)")
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--hold", type=float, default=2.0, help="seconds the writer holds the lock (0: no writer)")
    parser.add_argument("--pause", type=float, default=1.0)
    parser.add_argument("--busy-timeout", type=float, default=10.0)
    parser.add_argument("--analyze", action="store_true", help="the writer is `tantalio analyze` in a loop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "case"
        if args.case:
            shutil.copytree(args.case, case, ignore=shutil.ignore_patterns("scratch"))
        else:
            from tests.web.casefixture import build_case

            case = build_case(Path(tmp)).folder
        result = run(case, sessions=args.sessions, seconds=args.seconds, busy_timeout_s=args.busy_timeout,
                     writer=(args.hold, args.pause) if args.hold > 0 else None, analyze=args.analyze,
                     on_sample=lambda s: print(f"  t={s[0]:>6}s rss={s[1]:>7} MiB requests={s[2]}", flush=True))
    memory = result.pop("memory_mib")
    print(json.dumps(result, indent=2))
    first, peak, last = memory[0][1], max(m[1] for m in memory), memory[-1][1]
    print(f"server RSS: start {first} MiB, peak {peak} MiB, end {last} MiB over {result['requests']} requests")


if __name__ == "__main__":
    main()
