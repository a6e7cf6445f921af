"""Time to the one-line error, and peak memory, for the requests that used to hang or blow up.

    python benchmarks/limits_timing.py

Each case runs as its own ``carebench`` process (so the figures include
start-up, about 1.5 s of imports on a quiet machine); reported per case: exit
code, wall seconds, CPU seconds and peak resident memory of the process,
and its one line of stderr.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

BOMB = "".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"]
    + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)]
)


def measure(args: list[str], cwd: Path) -> str:
    """Run one case in a fresh process; return its figures as one line."""
    script = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "line = (p.stderr.strip().splitlines() or [''])[-1]\n"
        "print(f'exit {p.returncode}  wall {wall:5.2f} s  cpu {r.ru_utime + r.ru_stime:5.2f} s  '\n"
        "      f'peak {r.ru_maxrss / 1024:6.0f} MB  {line[:150]}')\n"
    )
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=cwd, timeout=600)
    return out.stdout.strip() or out.stderr.strip()[-300:]


def main() -> None:
    """Print the figures of the five cases."""
    carebench = str(Path(sys.executable).parent / "carebench")
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "bomb.yaml").write_text(BOMB, encoding="utf-8")
        os.mkfifo(cwd / "fifo.yaml")
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        cases = {
            "YAML alias bomb": ["validate", "bomb.yaml"],
            "10,000-year horizon": ["run", "--horizon", "3652500d", "--out", "out"],
            "FIFO as the scenario": ["run", "fifo.yaml", "--out", "out"],
            "--scheduler on a local HTTP server": ["run", "-n", "2", "--horizon", "1d", "--out", "out",
                                                   "--scheduler", f"tcp://127.0.0.1:{port}"],
            "shop plan --simulate 1e8": ["shop", "plan", "--share", "0.4", "--icc", "0.1", "--simulate", "1e8"],
            "shop plan --simulate 100000000": ["shop", "plan", "--share", "0.4", "--icc", "0.1",
                                               "--simulate", "100000000"],
            "baseline: carebench validate default": ["validate", "default"],
        }
        for name, args in cases.items():
            print(f"{name:38} {measure([carebench, *args], cwd)}", flush=True)
        server.shutdown()
        assert not (cwd / "out").exists(), "a refused case left a directory"


if __name__ == "__main__":
    main()
