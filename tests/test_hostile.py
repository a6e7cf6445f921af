"""The hostile corpus: every case in tests/hostile/cases.txt fails fast with one line and exit 2.

Each case runs in-process through click's ``CliRunner`` (a subprocess per
case would take minutes on two cores), under an alarm so a regression that
blocks (a FIFO, a socket) fails the test instead of hanging it. Each must:
exit 2; print exactly one ``error:`` (or click usage) line on stderr
containing the expected text, and no traceback; create no file anywhere
in the scratch folder or the corpus; run no code (the ``pwned`` files that
the YAML payloads would create never appear). The few cases that need a
real process (memory limits, signals) are at the end, in subprocesses.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import signal
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from carebench.cli import cli
from carebench.load.yamlio import dump_yaml, load_yaml_file

# The commands' default --out is results/: run each test from a temporary directory.
pytestmark = pytest.mark.usefixtures("in_tmp_dir")

HOSTILE = Path(__file__).parent / "hostile"
SCENARIO = textwrap.dedent("""\
    name: hostile
    horizon: 1d
    seed: 1
    channels:
      phone:
        public: false
        sla: 20s
        first_response: pickup
        handle_time: {dist: exponential, mean: 5m}
        arrivals: {per_hour: 100}
    pools:
      agents:
        agents: 10
        channels: [phone]
    """)


def _cases() -> list[tuple[str, str]]:
    out = []
    for line in (HOSTILE / "cases.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, _, args = line.partition(" :: ")
            out.append((expected, args))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """The scratch folder of the corpus, with its special files; one lock held on busy/."""
    t = tmp_path_factory.mktemp("hostile")
    (t / "sc.yaml").write_text(SCENARIO, encoding="utf-8")
    (t / "file.txt").write_text("a regular file\n", encoding="utf-8")
    os.mkfifo(t / "fifo.yaml")
    (t / "target.xml").write_text("<keep/>\n", encoding="utf-8")
    os.symlink(t / "target.xml", t / "link.xml")
    (t / "busy").mkdir()
    (t / "busy" / "plan.json").write_text("{}", encoding="utf-8")
    stella = load_yaml_file(Path(str(resources.files("carebench.scenarios") / "stella_24h.yaml")))
    (t / "many_repeats.yaml").write_text(dump_yaml({**stella, "repeats": 10_000}), encoding="utf-8")
    first = next(iter(stella["brands"].values()))
    many = {**stella, "brands": {f"b{i}": first for i in range(1001)}}
    (t / "many_brands.yaml").write_text(dump_yaml(many), encoding="utf-8")
    (t / "cwd").mkdir()
    fd = os.open(t / "busy" / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    yield t
    os.close(fd)


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _alarm(signum, frame):
    raise TimeoutError("a hostile case took more than 20 s")


def test_the_corpus_holds_more_than_a_hundred_cases():
    assert len(CASES) >= 100
    assert len(list(HOSTILE.glob("*.yaml"))) >= 50


@pytest.mark.parametrize("expected, args", CASES, ids=[a[:60] for _, a in CASES])
def test_a_hostile_input_fails_with_one_line_and_leaves_nothing(scratch, expected, args, monkeypatch):
    monkeypatch.chdir(scratch / "cwd")
    argv = [a.replace("{h}", str(HOSTILE)).replace("{t}", str(scratch)) for a in shlex.split(args)]
    before, corpus = _tree(scratch), _tree(HOSTILE)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    try:
        result = CliRunner().invoke(cli, argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert len(lines) == 1, lines
    assert expected in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert _tree(scratch) == before, "a failed command left files behind"
    assert _tree(HOSTILE) == corpus
    assert not list(scratch.rglob("pwned*"))
    assert (scratch / "target.xml").read_text() == "<keep/>\n" and (scratch / "link.xml").is_symlink()


LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from click.testing import CliRunner
from carebench.cli import cli
for args in {cases!r}:
    r = CliRunner().invoke(cli, args)
    print(r.exit_code, (r.stderr.strip().splitlines() or [''])[-1][:200], flush=True)
print("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_the_big_requests_fail_within_a_small_address_space(tmp_path):
    """The bomb, the 10,000-year horizon, 1e12 arrivals an hour: refused under a 1.5 GB address-space limit."""
    cases = [
        ["validate", str(HOSTILE / "bomb_lists.yaml")],
        ["validate", str(HOSTILE / "bomb_in_params.yaml")],
        ["run", str(HOSTILE / "horizon_10000_years.yaml"), "--out", str(tmp_path / "o")],
        ["run", str(HOSTILE / "rate_1e12.yaml"), "--out", str(tmp_path / "o")],
        ["run", str(HOSTILE / "spike_factor_huge.yaml"), "--out", str(tmp_path / "o")],
        ["shop", "plan", "--share", "0.4", "--icc", "0.1", "--simulate", "100000", "--brands", "100000"],
    ]
    code = LIMITED.format(limit=1_500_000_000, cases=cases)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                         cwd=tmp_path)
    lines = out.stdout.strip().splitlines()
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(lines) == len(cases) + 1, out.stdout + out.stderr[-2000:]
    for line in lines[:-1]:
        assert line.startswith("2 error: "), line
    assert not (tmp_path / "o").exists()


def test_sigterm_stops_a_run_with_exit_143_one_line_and_no_partial_directory(tmp_path):
    scenario = tmp_path / "long.yaml"
    scenario.write_text(SCENARIO.replace("horizon: 1d", "horizon: 3000d").replace("per_hour: 100", "per_hour: 200")
                        .replace("agents: 10", "agents: 20"), encoding="utf-8")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "carebench"), "run", str(scenario), "--out", str(tmp_path / "o"),
                             "--no-plots", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    _wait_for(lambda: any((tmp_path / "o").glob(".*.partial")), proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.strip().splitlines() == [err.strip()] and err.startswith("terminated (SIGTERM): ")
    assert list((tmp_path / "o").iterdir()) == []


def _wait_for(condition, proc, timeout: float = 60.0) -> None:
    import time

    end = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.05)


WORKERS = """
import os, sys, time
from carebench.runs.executors import worker_pool
def pid(_):
    return os.getpid()
def forever(_):
    while True:
        time.sleep(0.05)
if __name__ == "__main__":
    pool = worker_pool(2, watch_interval=0.1)
    pids = sorted(set(pool.map(pid, range(20))))
    for _ in range(2):
        pool.submit(forever, 0)
    print(" ".join(map(str, pids)), flush=True)
    time.sleep(600)
"""


def test_workers_do_not_outlive_a_killed_parent(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(WORKERS, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=tmp_path)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert pids
    proc.kill()
    proc.wait(timeout=30)
    _wait_gone(pids)


def _wait_gone(pids: list[int], timeout: float = 30.0) -> None:
    import time

    end = time.monotonic() + timeout
    while True:
        alive = [p for p in pids if _running(p)]
        if not alive:
            return
        assert time.monotonic() < end, f"workers {alive} outlived their parent"
        time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def test_stale_partial_directories_of_dead_runs_are_removed_and_live_ones_kept(tmp_path, scratch):
    from carebench.util.atomic import LOCK_NAME, clean_stale_partials, hold_lock

    dead = tmp_path / ".old-run.abc.partial"
    dead.mkdir()
    (dead / LOCK_NAME).touch()  # its writer was killed: nobody holds the lock
    (dead / "kpis.json").write_text("{}")
    live = tmp_path / ".running.def.partial"
    live.mkdir()
    fd = hold_lock(live / LOCK_NAME)
    try:
        result = CliRunner().invoke(cli, ["run", str(scratch / "sc.yaml"), "--out", str(tmp_path), "-q",
                                          "--no-plots", "--horizon", "2h"])
        assert result.exit_code == 0, result.output
        assert not dead.exists() and live.exists()
        assert clean_stale_partials(tmp_path) == []
    finally:
        os.close(fd)
    assert clean_stale_partials(tmp_path) == [live]


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write_and_a_live_one_kept(tmp_path):
    from carebench.util.atomic import atomic_write_text

    target = tmp_path / "baseline.json"
    child = textwrap.dedent(f"""
        import os, signal
        from carebench.util.atomic import atomic_write
        def write(tmp):
            tmp.write_text("half")
            os.kill(os.getpid(), signal.SIGKILL)
        atomic_write({str(target)!r}, write)
    """)
    assert subprocess.run([sys.executable, "-c", child]).returncode == -signal.SIGKILL
    (left,) = tmp_path.glob(".baseline.json.*.tmp")
    os.utime(left, (0, 0))  # old: a writer that started a minute ago would hold its lock
    live = tmp_path / ".baseline.json.live.tmp"
    live.write_text("being written")
    os.utime(live, (0, 0))
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        atomic_write_text(target, "{}")
    finally:
        os.close(fd)
    assert not left.exists() and live.exists()
    assert target.read_text() == "{}"


def test_result_directories_never_collide(tmp_path):
    from carebench.util.atomic import staged_directory

    final = tmp_path / "run-20260101-000000"
    paths = []
    with staged_directory(final) as a, staged_directory(final) as b, staged_directory(final) as c:
        for stage in (a, b, c):
            (stage.tmp / "kpis.json").write_text("{}")
    paths = sorted(s.path.name for s in (a, b, c))
    assert paths == ["run-20260101-000000", "run-20260101-000000-2", "run-20260101-000000-3"]
    assert all((tmp_path / p / "kpis.json").exists() and not (tmp_path / p / ".lock").exists() for p in paths)


def test_a_long_scenario_name_becomes_a_bounded_directory_name(tmp_path, scratch):
    path = tmp_path / "long.yaml"
    path.write_text(SCENARIO.replace("name: hostile", "name: " + "ünïcode/" * 40), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(path), "--out", str(tmp_path / "o"), "-q", "--no-plots",
                                      "--horizon", "2h"])
    assert result.exit_code == 0, result.output
    (made,) = (tmp_path / "o").iterdir()
    assert len(made.name) < 120 and "/" not in made.name


def test_junit_is_written_beside_its_target_and_a_symlink_is_left_alone(tmp_path, scratch):
    junit = tmp_path / "reports" / "junit.xml"
    result = CliRunner().invoke(cli, ["check", str(scratch / "sc.yaml"), "--threshold", "sla.phone >= 0.01",
                                      "-n", "2", "--workers", "1", "--junit", str(junit), "-q"])
    assert result.exit_code == 0, result.output
    assert junit.read_text().startswith("<?xml") and sorted(os.listdir(junit.parent)) == ["junit.xml"]


def test_a_variant_baseline_hint_never_overwrites_the_committed_baseline(tmp_path, scratch):
    base = tmp_path / "baselines" / "hostile.json"
    made = CliRunner().invoke(cli, ["baseline", str(scratch / "sc.yaml"), "-n", "2", "--workers", "1",
                                    "--out", str(base), "-q"])
    assert made.exit_code == 0, made.output
    result = CliRunner().invoke(cli, ["check", str(scratch / "sc.yaml"), "--baseline", str(base),
                                      "--set", "pools.agents.agents=9", "--workers", "1"])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "hostile-variant.json" in line and f"--out {base} " not in line + " "


def test_warnings_for_idle_settings_are_one_line_and_do_not_fail(tmp_path, scratch):
    path = tmp_path / "late.yaml"
    path.write_text(SCENARIO + "incidents:\n  - {channels: [phone], day: 9, start: '09:00', duration: 1h, "
                    "multiplier: 3}\n  - {channels: [phone], day: 12, start: '09:00', duration: 1h, multiplier: 3}\n"
                    "  - {channels: [all], day: 1, start: '09:00', duration: 1h, multiplier: 2}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "incidents.0, incidents.1 start after the horizon" in warning


def test_environment_limits_raise_and_lower_the_yaml_budget(monkeypatch, scratch):
    monkeypatch.setenv("CAREBENCH_MAX_YAML_NODES", "10")
    result = CliRunner().invoke(cli, ["validate", str(scratch / "sc.yaml")])
    assert result.exit_code == 2 and "more than 10 nodes" in result.stderr
    monkeypatch.setenv("CAREBENCH_MAX_YAML_NODES", "many")
    result = CliRunner().invoke(cli, ["validate", str(scratch / "sc.yaml")])
    assert result.exit_code == 2 and "CAREBENCH_MAX_YAML_NODES" in result.stderr

