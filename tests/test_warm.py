"""The warm worker (scripts/mlviz/workflow/warm.py, scripts/warm/sitecustomize.py): a Snakemake script job
handed to a server that has imported the heavy libraries behaves as the job run by `python FILE`
(exit code, stdin/stdout/stderr, cwd, environment, signals, tracebacks), dies with its client, and
falls back to running cold whenever the server is not there; a run with it gives the bytes of a run
without it.

The protocol tests use servers that preload almost nothing (MLVIZ_WARM_PRELOAD) and exit when idle
after a few seconds (MLVIZ_WARM_IDLE); every server a test started is stopped at its end."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import REPO, SNAKEMAKE, small_config, write_config

PY = sys.executable
HOOK = str(REPO / "scripts" / "warm")

_spec = importlib.util.spec_from_file_location("_mlviz_warm_test", REPO / "scripts" / "mlviz" / "workflow" / "warm.py")
warm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(warm)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the warm worker is Linux-only")


def job_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", warm.ENABLE, warm.SWITCH)}
    env.update({"PYTHONPATH": HOOK, warm.ENABLE: "1", "MLVIZ_WARM_PRELOAD": "json", "MLVIZ_WARM_IDLE": "5",
                "OMP_NUM_THREADS": "1"})
    env.update(extra)
    return env


class Work:
    """A working directory with Snakemake-like job scripts, and the servers started in it."""

    def __init__(self, root: Path, **env):
        self.root = root
        self.logs = root / "warm-logs"  # this test's own log folder: its own server key too
        self.env = job_env(MLVIZ_WARM_LOGDIR=str(self.logs), **env)
        (root / ".snakemake" / "scripts").mkdir(parents=True)

    def script(self, name: str, source: str) -> str:
        path = self.root / ".snakemake" / "scripts" / f"tmp{hashlib.sha1(source.encode()).hexdigest()[:8]}.{name}.py"
        path.write_text(source)
        return str(path.relative_to(self.root))  # as Snakemake passes it: relative to the workdir

    def popen(self, script: str, env=None, **kw) -> subprocess.Popen:
        return subprocess.Popen([PY, script], cwd=self.root, env={**self.env, **(env or {})}, **kw)

    def run(self, script: str, stdin: str = "", env=None, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([PY, script], cwd=self.root, env={**self.env, **(env or {})}, input=stdin,
                              capture_output=True, text=True, timeout=60, **kw)

    def server_log(self) -> str:
        return "".join(p.read_text() for p in sorted(self.logs.glob("*.log"))) if self.logs.is_dir() else ""

    def server_pids(self) -> list[int]:
        return sorted({int(p) for p in re.findall(r"\[(\d+)\] serving", self.server_log())})

    def warm_up(self) -> int:
        """Run a job (cold: it starts the server); wait until the server serves. Its pid."""
        self.run(self.script("warmup", "pass\n"))
        end = time.monotonic() + 30
        while not self.server_pids() and time.monotonic() < end:
            time.sleep(0.05)
        assert self.server_pids(), f"no server started:\n{self.server_log()}"
        return self.server_pids()[-1]

    def stop(self) -> None:
        for pid in self.server_pids():
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


@pytest.fixture
def work(tmp_path):
    w = Work(tmp_path)
    yield w
    w.stop()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


PROBE = """\
import json, os, resource, sys, tempfile
data = sys.stdin.read()
print("to stderr", file=sys.stderr)
from threadpoolctl import threadpool_info
omp = sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp"})
json.dump({"ppid": os.getppid(), "pid": os.getpid(), "cwd": os.getcwd(), "stdin": data, "argv": sys.argv,
           "file": __file__, "name": __name__, "path0": sys.path[0], "tmp": tempfile.gettempdir(),
           "env": os.environ.get("TMPDIR"), "omp": omp, "umask": os.umask(0), "orig_argv": sys.orig_argv,
           "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0]}, sys.stdout)
sys.exit(int(data.split()[-1]) if data.strip() else 0)
"""


def test_a_job_runs_in_the_server_as_it_would_alone(work):
    server = work.warm_up()
    script = work.script("probe", PROBE)
    tmp = work.root / "jobtmp"
    tmp.mkdir()
    # TMPDIR and OMP_NUM_THREADS as Snakemake sets them per job (the server imported at 1 thread).
    import resource

    def lower_nofile():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    done = work.run(script, stdin="hello 3", env={"TMPDIR": str(tmp), "OMP_NUM_THREADS": "2"}, umask=0o027,
                    preexec_fn=lower_nofile)
    assert done.returncode == 3, done.stderr
    import json

    out = json.loads(done.stdout)
    assert out["ppid"] == server  # it ran in a child of the server, not in the client
    assert out["stdin"] == "hello 3" and done.stderr == "to stderr\n"
    assert out["cwd"] == str(work.root) and out["argv"] == [script] and out["name"] == "__main__"
    assert out["file"] == str(work.root / script) and out["path0"] == str((work.root / script).parent)
    assert out["env"] == str(tmp) and out["tmp"] == str(tmp)  # the job's environment, not the server's
    if out["omp"]:  # OpenMP loaded (scikit-learn's threadpoolctl): the job's thread count
        assert out["omp"] == [2]
    assert out["umask"] == 0o027 and out["nofile"] == 256 and out["orig_argv"] == [PY, script]
    # Again, without TMPDIR: nothing of the previous job's environment stayed in the server.
    again = work.run(script)
    out = json.loads(again.stdout)
    assert again.returncode == 0 and out["ppid"] == server and out["env"] is None and out["tmp"] != str(tmp)


def test_a_failing_job_shows_its_own_traceback(work):
    work.warm_up()
    done = work.run(work.script("fails", "def f():\n    raise ValueError('bad input')\nf()\n"))
    assert done.returncode == 1
    assert "ValueError: bad input" in done.stderr
    frames = re.findall(r'File "([^"]+)"', done.stderr)
    assert frames and all(".snakemake/scripts/" in f for f in frames), done.stderr  # no worker frames
    exits = work.run(work.script("exits", "import sys\nsys.exit('a message')\n"))
    assert exits.returncode == 1 and exits.stderr == "a message\n"


def test_a_killed_client_kills_its_job(work):
    work.warm_up()
    pidfile = work.root / "job.pid"
    script = work.script("sleeps", f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
                                   "time.sleep(60)\n")
    client = work.popen(script)
    end = time.monotonic() + 20
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < end:
        time.sleep(0.05)
    job = int(pidfile.read_text())
    assert job != client.pid and alive(job)
    client.kill()  # kill -9, as a wall-time limit or a killed Snakemake's process group gets
    client.wait()
    end = time.monotonic() + 5
    while alive(job) and time.monotonic() < end:
        time.sleep(0.05)
    assert not alive(job)


def test_ctrl_c_reaches_the_job_and_the_client_dies_of_it(work):
    work.warm_up()
    ready = work.root / "ready"
    script = work.script("waits", f"import time\nopen({str(ready)!r}, 'w').close()\ntime.sleep(60)\n")
    client = work.popen(script, stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 20
    while not ready.exists() and time.monotonic() < end:
        time.sleep(0.05)
    client.send_signal(signal.SIGINT)
    _, err = client.communicate(timeout=20)
    assert client.returncode == -signal.SIGINT  # as `python FILE` dies of an unhandled Ctrl-C
    assert "KeyboardInterrupt" in err


def test_without_a_server_jobs_run_cold(tmp_path):
    """The server refuses to serve (a preloaded module started a thread: fork would copy it): every
    job runs in its own process, with its own result."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "threaded.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n")
    work = Work(tmp_path / "w", MLVIZ_WARM_PRELOAD="threaded", PYTHONPATH=f"{HOOK}:{tmp_path / 'lib'}")
    try:
        script = work.script("probe", PROBE)
        for _ in range(3):
            done = work.run(script, stdin="4")
            assert done.returncode == 4
            time.sleep(0.5)
        end = time.monotonic() + 20
        while "not fork-safe" not in work.server_log() and time.monotonic() < end:
            time.sleep(0.1)
        assert "not fork-safe" in work.server_log()
        done = work.run(script, stdin="x 0")
        import json

        out = json.loads(done.stdout)
        assert done.returncode == 0 and out["stdin"] == "x 0" and out["ppid"] == os.getpid()  # ran in the client
    finally:
        work.stop()


def test_a_server_that_does_not_answer_means_a_cold_run(work):
    """Someone (of this user) holds the server's name but never says ready: after the timeout the
    job runs in the client, once."""
    env = {"MLVIZ_WARM_TIMEOUT": "1"}
    helper = work.root / "key.py"  # not a job script: prints the key a job would compute
    helper.write_text(f"import importlib.util, sys\ns = importlib.util.spec_from_file_location('c', {HOOK + '/sitecustomize.py'!r})\n"
                      "c = importlib.util.module_from_spec(s); s.loader.exec_module(c)\nprint(c.key(path=sys.path[1:]))\n")
    key = subprocess.run([PY, str(helper)], cwd=work.root, env={**work.env, **env}, capture_output=True,
                         text=True, check=True).stdout.strip()
    squatter = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    squatter.bind(warm.client().names(key)[0])
    squatter.listen(8)
    counter = work.root / "runs"
    try:
        t0 = time.monotonic()
        done = work.run(work.script("counts", f"open({str(counter)!r}, 'a').write('x')\nimport sys; sys.exit(5)\n"), env=env)
        assert done.returncode == 5 and counter.read_text() == "x"
        assert 0.9 < time.monotonic() - t0 < 15
    finally:
        squatter.close()


def test_the_hook_does_nothing_outside_job_scripts(tmp_path):
    code = "import sys; print(sys.modules['sitecustomize'].__file__, '_mlviz_warm' in sys.modules)"
    done = subprocess.run([PY, "-c", code], cwd=tmp_path, env=job_env(MLVIZ_WARM_LOGDIR=str(tmp_path / "logs")),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.split() == [f"{HOOK}/sitecustomize.py", "False"]
    assert not (tmp_path / "logs").exists()  # no server started


def test_configure_enables_local_main_runs_only(monkeypatch):
    main, step = SimpleNamespace(is_main_process=True), SimpleNamespace(is_main_process=False)
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    monkeypatch.delenv(warm.SWITCH, raising=False)
    assert warm.configure(main)
    assert os.environ["PYTHONPATH"] == f"{HOOK}:/elsewhere" and os.environ[warm.ENABLE] == "1"
    assert warm.configure(main) and os.environ["PYTHONPATH"] == f"{HOOK}:/elsewhere"  # idempotent
    assert not warm.configure(step)  # a job step on a node: what the submitter exported is removed
    assert os.environ["PYTHONPATH"] == "/elsewhere" and warm.ENABLE not in os.environ
    monkeypatch.setenv(warm.SWITCH, "0")
    assert not warm.configure(main) and warm.ENABLE not in os.environ
    monkeypatch.delenv(warm.SWITCH)
    monkeypatch.setenv("SLURM_JOB_ID", "7")
    assert not warm.configure(main)
    c = warm.client()  # the two halves agree on what enables the worker
    assert (c.ENABLE, c.SWITCH, os.path.dirname(c.HERE)) == (warm.ENABLE, warm.SWITCH, warm.HOOK)


# ---------------------------------------------------------------------------------- the workflow
def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not {"logs", "benchmarks"} & set(p.relative_to(root).parts)}


@pytest.mark.slow  # two whole runs of the demo
def test_a_warm_run_gives_the_bytes_of_a_cold_run(tmp_path):
    """One dataset (insurance, few rows): data → XGBoost → predictions and SHAP values → beeswarm,
    once without the worker and once with it (the real preload: numpy, pandas, sklearn, shap...)."""
    cfg = small_config("w")
    cfg["sources"]["insurance"]["rows"] = 300
    targets = [f"results/w/{p}" for p in ("predictions/insurance/xgboost.parquet",
                                           "figures/shap/insurance/xgboost/beeswarm.png")]
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", warm.ENABLE, "MLVIZ_WARM_PRELOAD")}
    modes = {"cold": {**base, warm.SWITCH: "0"},
             # What rules/common.smk sets up (mlviz.workflow.warm.configure), spelled out so that this test
             # does not depend on it; a short idle time so that the server is gone soon after.
             "warm": {**base, "PYTHONPATH": HOOK, warm.ENABLE: "1", "MLVIZ_WARM_IDLE": "5",
                      "MLVIZ_WARM_LOGDIR": str(tmp_path / "warm-logs")}}
    sums, logs = {}, {}
    for mode, env in modes.items():
        workdir = tmp_path / mode
        cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "2", *targets,
               "--configfile", str(write_config(workdir, cfg))]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
        assert proc.returncode == 0, f"{mode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
        sums[mode] = _digests(workdir / "results" / "w")
        logs[mode] = [warm.read_usage(p) for p in sorted((workdir / "results/w/logs").rglob("*.log"))]
    assert len(sums["cold"]) >= 6 and any(k.endswith(".png") for k in sums["cold"])
    assert sums["warm"] == sums["cold"]
    assert not any(logs["cold"])
    assert any(u and u["status"] == 0 for u in logs["warm"]), "no job ran in the warm worker"
    log = "".join(p.read_text() for p in (tmp_path / "warm-logs").glob("*.log"))
    for pid in {int(p) for p in re.findall(r"\[(\d+)\] serving", log)}:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
