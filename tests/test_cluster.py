"""A real single-node SLURM cluster on this machine (loopback only): the workflow submitted through
`snakemake --profile profiles/slurm` gives the same bytes as a local run.

Needs root and Debian's slurmctld, slurmd, slurm-client and munge (`bash scripts/mlviz.sh test`
installs them with apt when run as root). The fixture starts its own munged, slurmctld and slurmd,
each in its own process group, and stops exactly those, also when a test fails.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from conftest import REPO, SNAKEMAKE, small_config, write_config

pytestmark = pytest.mark.slow  # a whole run through a one-node SLURM cluster

DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "srun")
SYSTEM_CONF = Path("/etc/slurm/slurm.conf")  # the jobstep plugin's inner srun reads only this path

# A short chain that crosses compute and draw rules (data → model → SHAP → figures, a grouped job).
TARGETS = [
    "results/{run}/metrics.parquet",
    "results/{run}/figures/shap/insurance/xgboost/beeswarm.png",
    "results/{run}/figures/shap/insurance/xgboost/bar.png",
]


def missing_requirements() -> str | None:
    if os.geteuid() != 0:
        return "the SLURM daemons need root (run as root, as CI does)"
    absent = [d for d in DAEMONS if shutil.which(d, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None]
    if absent:
        return (f"SLURM/munge not installed ({', '.join(absent)} missing): "
                "apt-get install -y slurmctld slurmd slurm-client munge")
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def which(name: str) -> str:
    return shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


class Cluster:
    """munged + slurmctld + slurmd, all state under `root`, listening on 127.0.0.1 only."""

    def __init__(self, root: Path):
        self.root = root
        self.procs: list[subprocess.Popen] = []
        self.saved_conf: Path | None = None
        self.linked = False
        self.host = socket.gethostname().split(".")[0]
        self.started_at = time.time()
        self.stepds_before: set[int] = set()
        self.env = dict(os.environ, SLURM_CONF=str(root / "slurm.conf"))

    def write_conf(self) -> Path:
        r = self.root
        for sub in ("state", "spool", "log"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        mem = int(psutil.virtual_memory().total / 2**20 * 0.8)
        cpus = os.cpu_count() or 1
        conf = f"""\
ClusterName=mlviztest
SlurmctldHost={self.host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={r / 'munge' / 'munge.socket'}
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
StateSaveLocation={r / 'state'}
SlurmdSpoolDir={r / 'spool'}
SlurmctldPidFile={r / 'slurmctld.pid'}
SlurmdPidFile={r / 'slurmd.pid'}
SlurmctldLogFile={r / 'log' / 'slurmctld.log'}
SlurmdLogFile={r / 'log' / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=300
SlurmdTimeout=60
NodeName={self.host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={mem} State=UNKNOWN
PartitionName=debug Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
"""
        path = r / "slurm.conf"
        path.write_text(conf)
        return path

    def link_system_conf(self, conf: Path) -> None:
        # srun inside a job ignores SLURM_CONF (the jobstep plugin drops it): it must find this file.
        if SYSTEM_CONF.is_symlink() and not SYSTEM_CONF.exists():
            SYSTEM_CONF.unlink()  # dangling (left by a killed test run): nothing to keep
        if SYSTEM_CONF.is_symlink() or SYSTEM_CONF.exists():
            self.saved_conf = SYSTEM_CONF.with_name(f"slurm.conf.mlviz-saved-{os.getpid()}")
            SYSTEM_CONF.rename(self.saved_conf)
        SYSTEM_CONF.parent.mkdir(parents=True, exist_ok=True)
        SYSTEM_CONF.symlink_to(conf)
        self.linked = True

    def start_daemon(self, *cmd: str, log: str) -> subprocess.Popen:
        out = open(self.root / "log" / log, "ab")
        proc = subprocess.Popen(list(cmd), env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # own process group: stopped as one
        self.procs.append(proc)
        return proc

    def active_jobs(self) -> list[str]:
        out = subprocess.run([which("squeue"), "-h", "-t", "PENDING,RUNNING,COMPLETING", "-o", "%i"],
                             env=self.env, capture_output=True, text=True)
        return out.stdout.split() if out.returncode == 0 else []

    @staticmethod
    def wait_quiet(done, timeout: float) -> None:
        end = time.monotonic() + timeout
        while not done() and time.monotonic() < end:
            time.sleep(0.5)

    def start(self) -> None:
        self.started_at = time.time() - 1
        self.stepds_before = {p.pid for p in psutil.process_iter(["name"]) if p.info["name"] == "slurmstepd"}
        conf = self.write_conf()
        self.link_system_conf(conf)
        munge = self.root / "munge"
        munge.mkdir(exist_ok=True)
        os.chmod(munge, 0o711)  # munged refuses a socket directory others can write to or list
        key = munge / "munge.key"
        key.write_bytes(os.urandom(128))
        os.chmod(key, 0o600)
        self.start_daemon(which("munged"), "--foreground", "--force", f"--socket={munge / 'munge.socket'}",
                          f"--key-file={key}", f"--pid-file={munge / 'munged.pid'}",
                          f"--seed-file={munge / 'munged.seed'}", f"--log-file={munge / 'munged.log'}",
                          log="munged.out")
        self.wait_for(lambda: (munge / "munge.socket").exists(), "munged socket")
        self.start_daemon(which("slurmctld"), "-D", "-i", "-f", str(conf), log="slurmctld.out")
        self.start_daemon(which("slurmd"), "-D", "-N", self.host, "-f", str(conf), log="slurmd.out")
        self.wait_for(self.node_idle, "node idle in sinfo", timeout=60)

    def node_idle(self) -> bool:
        out = subprocess.run([which("sinfo"), "-h", "-o", "%t"], env=self.env, capture_output=True, text=True)
        return out.returncode == 0 and out.stdout.strip() == "idle"

    def wait_for(self, ready, what: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{p.args[0]} exited ({p.returncode}) while waiting for {what}:\n{self.logs()}")
            if ready():
                return
            time.sleep(0.5)
        raise RuntimeError(f"timed out waiting for {what}:\n{self.logs()}")

    def logs(self) -> str:
        parts = []
        for f in sorted((self.root / "log").glob("*")) + [self.root / "munge" / "munged.log"]:
            if f.is_file():
                parts.append(f"--- {f.name}\n{f.read_text(errors='replace')[-2000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop the daemons this object started (and whatever they forked: their process groups)."""
        if self.procs:
            subprocess.run([which("scancel"), "--full", "-u", "root"], env=self.env, capture_output=True)
            # Let the cancelled jobs end before their slurmd goes.
            self.wait_quiet(lambda: not self.active_jobs(), timeout=30)
        for proc in reversed(self.procs):
            self.signal_group(proc, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.signal_group(proc, signal.SIGKILL)
                proc.wait(timeout=15)
        self.procs.clear()
        # slurmd starts a slurmstepd per job step that detaches (its parent becomes init): stop any
        # left by a failed test; only those born after this cluster started and not there before.
        for proc in psutil.process_iter(["name", "create_time"]):
            if (proc.info["name"] == "slurmstepd" and proc.pid not in self.stepds_before
                    and proc.info["create_time"] >= self.started_at):
                try:
                    proc.kill()
                except psutil.NoSuchProcess:
                    pass
        if self.linked and SYSTEM_CONF.is_symlink():
            SYSTEM_CONF.unlink()
        self.linked = False
        if self.saved_conf is not None:
            self.saved_conf.rename(SYSTEM_CONF)
            self.saved_conf = None

    @staticmethod
    def signal_group(proc: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)  # the group id is the daemon's pid (start_new_session)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    reason = missing_requirements()
    if reason:
        pytest.skip(reason)
    c = Cluster(tmp_path_factory.mktemp("slurm"))
    try:
        c.start()
        yield c
    finally:
        c.stop()


def digests(root: Path) -> dict[str, str]:
    """sha256 of every output (logs and benchmark records aside: they hold timings)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and not {"logs", "benchmarks"} & set(p.relative_to(root).parts)}


def run_workflow(workdir: Path, run: str, *extra: str, env=None, timeout=900) -> subprocess.CompletedProcess:
    cfg = small_config(run)
    targets = [t.format(run=run) for t in TARGETS]
    cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), *extra, *targets,
           "--configfile", str(write_config(workdir, cfg))]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"snakemake failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return proc


def test_slurm_run_gives_the_bytes_of_a_local_run(cluster, tmp_path):
    local = tmp_path / "local"
    run_workflow(local, "c", "--cores", "2")
    on_slurm = tmp_path / "slurm"
    # The first status check after 1 s instead of the plugin's 40 s: a small workflow in ~1 min.
    proc = run_workflow(on_slurm, "c", "--profile", str(REPO / "profiles" / "slurm"),
                        "--slurm-init-seconds-before-status-checks", "1", env=cluster.env)
    out = proc.stdout + proc.stderr
    # The jobs really went through SLURM (finished jobs stay in squeue for MinJobAge = 300 s), and
    # the two SHAP figures were bundled into one group job.
    jobs = [line.split("|") for line in subprocess.run(
        [which("squeue"), "-h", "-t", "all", "-o", "%T|%k"], env=cluster.env,
        capture_output=True, text=True, check=True).stdout.split()]
    assert len(jobs) >= 10 and {state for state, _ in jobs} == {"COMPLETED"}, (jobs, out[-3000:])
    comments = [comment for _, comment in jobs]  # rule_<name>: the plugin's job comment
    assert any("shap_values" in c for c in comments), comments
    bundled = [c for c in comments if "shap_bar" in c or "shap_beeswarm" in c]
    assert len(bundled) == 1 and "shap_bar" in bundled[0] and "shap_beeswarm" in bundled[0], comments
    a, b = digests(local / "results" / "c"), digests(on_slurm / "results" / "c")
    assert len(a) >= 10 and a.keys() == b.keys()
    differ = sorted(k for k in a if a[k] != b[k])
    assert differ == [], f"outputs differ: {differ}; PNG provenance: {provenance(local, on_slurm, differ)}"


def provenance(local: Path, on_slurm: Path, paths: list[str]) -> dict:
    """The text chunks (mlviz:rule, mlviz:params) that differ between the two copies of each PNG: a
    difference there is a job that ran with other params, not a SLURM problem."""
    from PIL import Image

    out = {}
    for rel in (p for p in paths if p.endswith(".png")):
        texts = [Image.open(root / "results" / "c" / rel).text for root in (local, on_slurm)]
        out[rel] = {k: (texts[0].get(k), texts[1].get(k)) for k in texts[0].keys() | texts[1].keys()
                    if texts[0].get(k) != texts[1].get(k)}
    return out
