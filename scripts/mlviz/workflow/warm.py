"""Warm worker: local script jobs without their seconds of imports.

Each script job is a fresh `python .snakemake/scripts/tmpXXXX.<script>.py` (Snakemake's `script:`)
that spends 1-4 s importing pandas, scikit-learn, matplotlib, shap... before a few tenths of a
second of work. Here one server process per (user, interpreter and venv, environment) imports those
libraries once and forks a child per job; the job's own process becomes a thin client that waits
for the child and exits with its status.

client  scripts/warm/sitecustomize.py, on PYTHONPATH for local jobs only (configure() below). As a
        job's Python starts, if a server of its key is serving, the client passes argv, cwd,
        environment, sys.path, umask, signal dispositions and mask, resource limits, niceness and
        its stdin/stdout/stderr (SCM_RIGHTS), then waits: it forwards the signals it gets (Ctrl-C,
        kill, Ctrl-Z) to the job and exits with the job's code or dies of the job's signal.
        Otherwise Python runs the script itself (cold), and the client starts a server in the
        background for the jobs that follow.
server  this file, started detached (own session, cwd /, output to its log) as `python -c ...
        serve KEY`: binds a lock name (one server per key), imports PRELOAD with the BLAS/OpenMP
        pools at one thread, checks that no thread would be copied into a child, freezes the GC,
        then listens on an abstract unix socket that only the same user may use (SO_PEERCRED, both
        ends). Per job: fork; the child takes the job's fds, cwd, environment, sys.path, umask,
        limits, thread counts, then runs the script as __main__. mlviz's own modules are never
        preloaded, so code edits take effect. When a client goes away (kill -9 of Snakemake and its
        jobs) the job's process group is killed. The server exits after IDLE seconds without jobs,
        or when this file, the client, the interpreter or a folder on sys.path (the venv's
        site-packages) changes. The key is not the working directory: runs in several folders (a
        test session's) share one server.

Nothing is lost to the optimisation: until the job is handed over, every failure (no server, a
server still importing, a timeout, a refused peer) runs the job cold; if the server dies afterwards,
its child dies with it (PR_SET_PDEATHSIG) and the client, seeing both gone, runs the job cold.

Usage: the child appends one line to the job's first log, `# mlviz-warm {json}`, with the job's
wall and CPU seconds and peak RSS (getrusage): Snakemake's benchmark files measure the client's
process tree, whose wall time is right but whose memory is the client's (benchmarks/summarize.py).

Linux only (abstract sockets, SO_PEERCRED, pidfd_open, PR_SET_PDEATHSIG).
"""
from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import time

ENABLE = "MLVIZ_WARM_JOBS"  # set by configure() for this run's local jobs (as the client reads it)
SWITCH = "MLVIZ_WARM"  # MLVIZ_WARM=0: off
HOOK = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "warm")  # on PYTHONPATH
IDLE = float(os.environ.get("MLVIZ_WARM_IDLE", "60"))  # seconds without jobs before the server exits
PRELOAD = [
    "numpy", "pandas", "pyarrow", "pyarrow.parquet", "pyarrow.dataset", "scipy", "scipy.stats",
    "sklearn", "sklearn.base", "sklearn.metrics", "sklearn.inspection", "sklearn.model_selection",
    "sklearn.calibration", "sklearn.tree", "sklearn.ensemble", "sklearn.linear_model",
    "sklearn.datasets", "sklearn.utils", "skops.io", "xgboost", "shap", "lime.lime_tabular",
    "lime.explanation", "matplotlib", "matplotlib.pyplot", "matplotlib.ticker", "PIL.Image", "yaml",
    "jsonschema", "threadpoolctl", "snakemake.iocontainers", "snakemake.logging", "snakemake.script",
]  # not tensorflow (threads at import, hundreds of MiB), not mlviz (edits must take effect)
TAG = "# mlviz-warm "  # the usage line in the job's log
_CLIENT = None


def client():
    """The client module (scripts/warm/sitecustomize.py): names, key, fingerprint, protocol constants."""
    global _CLIENT
    if _CLIENT is None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("_mlviz_warm_client", os.path.join(HOOK, "sitecustomize.py"))
        _CLIENT = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_CLIENT)  # definitions only: it acts only when imported as sitecustomize
    return _CLIENT


# ------------------------------------------------------------------------------------ the Snakefile
def configure(workflow) -> bool:
    """At parse time (rules/common.smk): let this run's local script jobs use the warm worker,
    unless MLVIZ_WARM=0 or this Snakemake is not the main process (a job step on a cluster node:
    Snakemake's remote mode) or runs inside a SLURM allocation. Jobs inherit os.environ; a job
    step's own parse removes what the submitting process exported."""
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != HOOK]
    os.environ.pop(ENABLE, None)
    on = (os.environ.get(SWITCH, "1") != "0" and sys.platform.startswith("linux")
          and getattr(workflow, "is_main_process", False) and "SLURM_JOB_ID" not in os.environ)
    if on:
        paths.insert(0, HOOK)
        os.environ[ENABLE] = "1"
    if paths:
        os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    else:
        os.environ.pop("PYTHONPATH", None)
    return on


# ------------------------------------------------------------------------------------------ server
class Server:
    def __init__(self, k: str):
        self.key = k
        self.main, self.lock_name = client().names(k)
        self.jobs: dict[int, dict] = {}  # pid -> {conn, pidfd, start, file}
        self.served = 0
        self.pending: dict = {}  # conn -> buffer: accepted, request not complete
        self.last = time.monotonic()

    def log(self, msg: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} [{os.getpid()}] {msg}", flush=True)

    def run(self) -> int:
        os.chdir("/")
        if os.fstat(1).st_size > 5 << 20:  # the log, appended to by every server of this key
            os.ftruncate(1, 0)
        self.lock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self.lock.bind(self.lock_name)
        except OSError:
            return 0  # another server has this key
        for s in (signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        self.stopping = False
        self.paths = list(sys.path)  # as the clients see it (an import may extend sys.path)
        self.fingerprint = client().fingerprint(self.paths)
        t0 = time.monotonic()
        failed = self.preload()
        threads = {int(t): open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task")}
        # The main thread and jemalloc's background thread (pyarrow; jemalloc's fork handlers stop
        # it in children) may be copied into a child; any other thread could hold a lock forever.
        bad = [c for t, c in threads.items() if t != os.getpid() and c != "jemalloc_bg_thd"]
        self.log(f"preloaded {len(sys.modules)} modules in {time.monotonic() - t0:.1f} s"
                 f"{'; failed: ' + ', '.join(failed) if failed else ''}; threads: {sorted(threads.values())}")
        if bad or any(m == "mlviz" or m.startswith("mlviz.") for m in sys.modules):
            self.log(f"not fork-safe (threads {bad}) or mlviz imported: exiting, jobs run cold")
            return 1
        try:
            os.close(os.pidfd_open(os.getpid()))  # how the server waits for its children (Linux >= 5.3)
        except (AttributeError, OSError) as e:
            self.log(f"no pidfd_open ({e}): exiting, jobs run cold")
            return 1
        import gc

        gc.collect()
        gc.freeze()  # children do not touch (copy) the preloaded objects' GC headers
        self.preloaded = set(sys.modules)
        self.path_added = [p for p in sys.path if p not in self.paths]  # snakemake adds one at import
        import selectors

        self.sel = selectors.DefaultSelector()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.main)
        self.listener.listen(128)
        self.listener.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, ("accept", None))
        self.log("serving")
        self.last = time.monotonic()  # idle from now on, not from the start of the imports
        while True:
            for sk, _ in self.sel.select(timeout=1.0):
                what, obj = sk.data
                try:
                    getattr(self, "on_" + what)(sk.fileobj, obj)
                except Exception as e:  # one bad connection never stops the server
                    self.log(f"{what}: {type(e).__name__}: {e}")
            for conn, (_b, fds, t) in list(self.pending.items()):
                if time.monotonic() - t > 2 * client().TIMEOUT:  # accepted, never sent its job
                    self.sel.unregister(conn)
                    del self.pending[conn]
                    for fd in fds:
                        os.close(fd)
                    conn.close()
            if self.jobs or self.pending:
                self.last = time.monotonic()
                continue
            if self.stopping or time.monotonic() - self.last > IDLE or client().fingerprint(self.paths) != self.fingerprint:
                why = "idle" if time.monotonic() - self.last > IDLE else "asked" if self.stopping else "changed"
                import resource

                me, jobs = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
                self.log(f"exiting ({why}) after {self.served} jobs; CPU s: server {me.ru_utime + me.ru_stime:.2f}, "
                         f"jobs {jobs.ru_utime + jobs.ru_stime:.2f}")
                return 0

    def preload(self) -> list[str]:
        import importlib
        import warnings

        for v in client().THREAD_VARS:  # one thread at import: no pool to copy; the child sets the job's count
            os.environ[v] = "1"
        mods = os.environ.get("MLVIZ_WARM_PRELOAD")
        failed = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for m in (mods.split(",") if mods is not None else PRELOAD):
                if not m:
                    continue
                try:
                    importlib.import_module(m)
                except Exception as e:
                    failed.append(f"{m} ({type(e).__name__})")
        return failed

    def on_accept(self, listener, _):
        import selectors

        while True:
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            if client().peer_uid(conn) != os.getuid():
                conn.close()
                continue
            conn.setblocking(True)
            conn.settimeout(5)
            try:
                conn.sendall(b"R\n")
            except OSError:
                conn.close()
                continue
            self.pending[conn] = (bytearray(), [], time.monotonic())
            self.sel.register(conn, selectors.EVENT_READ, ("request", None))

    def on_request(self, conn, _):
        buf, fds, t0 = self.pending[conn]
        try:
            data, anc, _flags, _ = conn.recvmsg(1 << 16, socket.CMSG_SPACE(3 * 4))
        except OSError:
            data, anc = b"", []
        for level, typ, raw in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                n = len(raw) // 4
                fds += list(struct.unpack(f"{n}i", raw[: 4 * n]))
        buf += data
        complete = len(buf) >= 4 and len(buf) >= 4 + struct.unpack("!I", buf[:4])[0]
        if not data or complete:
            self.sel.unregister(conn)
            del self.pending[conn]
            if not complete:  # the client gave up (or died) before sending its job
                for fd in fds:
                    os.close(fd)
                conn.close()
                return
            import ast

            try:
                req = ast.literal_eval(bytes(buf[4:]).decode("utf-8", "surrogateescape"))
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                for fd in fds:
                    os.close(fd)
                conn.close()  # the client runs the job itself
                raise
            self.start(conn, req, fds)

    def start(self, conn, req, fds) -> None:
        import selectors

        sys.stdout.flush()
        sys.stderr.flush()
        r, w = os.pipe()  # the child waits until the server has registered it (and sent S)
        me = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.close(w)
            _child(self, me, conn, req, fds, r)  # never returns
        os.close(r)
        for fd in fds:
            os.close(fd)
        conn.settimeout(None)
        pidfd = os.pidfd_open(pid)
        self.jobs[pid] = {"conn": conn, "pidfd": pidfd, "start": time.monotonic(), "file": req["file"]}
        self.sel.register(conn, selectors.EVENT_READ, ("client", pid))
        self.sel.register(pidfd, selectors.EVENT_READ, ("exit", pid))
        try:
            conn.sendall(f"S {pid}\n".encode())
        except OSError:
            pass
        os.write(w, b"g")
        os.close(w)

    def on_client(self, conn, pid):
        """A signal to forward, or the client is gone: kill the job's process group."""
        try:
            data = conn.recv(4096)
        except OSError:
            data = b""
        job = self.jobs.get(pid)
        if job is None:
            return
        if not data:
            self.sel.unregister(conn)
            job["gone"] = True
            self.log(f"client of {pid} gone: killing its process group")
            self._kill(pid, signal.SIGKILL)
            return
        for line in data.decode(errors="replace").splitlines():
            kind, _, n = line.partition(" ")
            if kind == "K" and n.isdigit():
                self._kill(pid, int(n))

    @staticmethod
    def _kill(pid, sig):
        for f in (os.killpg, os.kill):
            try:
                f(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def on_exit(self, pidfd, pid):
        _, status = os.waitpid(pid, 0)
        job = self.jobs.pop(pid)
        self.served += 1
        self.sel.unregister(pidfd)
        os.close(pidfd)
        if os.WIFSIGNALED(status):
            msg = f"X s {os.WTERMSIG(status)}\n"
        else:
            msg = f"X e {os.waitstatus_to_exitcode(status)}\n"
        if not job.get("gone"):
            self.sel.unregister(job["conn"])
            try:
                job["conn"].sendall(msg.encode())
            except OSError:
                pass
        job["conn"].close()
        self.last = time.monotonic()
        self.log(f"job {pid} {os.path.basename(job['file'])}: {msg[2:].strip()} in {time.monotonic() - job['start']:.2f} s")

    def own_fds(self) -> list[int]:
        fds = [self.lock.fileno(), self.listener.fileno(), self.sel.fileno()]
        for c, (_b, received, _t) in self.pending.items():
            fds += [c.fileno(), *received]
        for j in self.jobs.values():
            fds += [j["conn"].fileno(), j["pidfd"]]
        return [fd for fd in fds if fd >= 0]


# ------------------------------------------------------------------------------------------- child
def _child(server: Server, server_pid: int, conn, req, fds, go) -> None:
    """The job: become what `python FILE` would have been in the client's place, run FILE as
    __main__, exit as Python would."""
    status = 1
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG: dies with the server
        if os.getppid() != server_pid or os.read(go, 1) != b"g":  # the server died meanwhile
            os._exit(1)
        os.close(go)
        os.setpgid(0, 0)  # the job and what it starts: one group to signal or kill
        for fd in server.own_fds():  # not the job's: only this job's connection stays open
            if fd != conn.fileno():
                os.close(fd)
        req["path"] += [p for p in server.path_added if p not in req["path"]]
        _setup(req, fds)
    except BaseException:
        try:
            import traceback

            os.write(2, traceback.format_exc().encode())
            conn.sendall(b"F\n")
        finally:
            os._exit(1)
    status = _run_main(req, server.preloaded)
    os._exit(status)


def _setup(req, fds) -> None:
    import importlib
    import io

    if len(fds) != len(req["fds"]):
        raise OSError(f"received {len(fds)} of the job's {len(req['fds'])} standard streams")
    # Received fds are >= 3 (the server's 0-2 are /dev/null and its log): move them onto 0-2.
    for target, fd in zip(req["fds"], fds):
        os.dup2(fd, target)
    for fd in fds:
        os.close(fd)
    for fd in (0, 1, 2):
        if fd not in req["fds"]:
            try:
                os.close(fd)
            except OSError:
                pass
    os.chdir(req["cwd"])
    os.umask(req["umask"])
    import resource

    for name, (soft, hard) in req["limits"].items():  # as far as an unprivileged process may
        try:
            resource.setrlimit(getattr(resource, name), (soft, hard))
        except (ValueError, OSError):
            try:
                resource.setrlimit(getattr(resource, name), (soft, resource.getrlimit(getattr(resource, name))[1]))
            except (ValueError, OSError):
                pass
    try:
        os.setpriority(os.PRIO_PROCESS, 0, req["nice"])
    except OSError:
        pass
    os.environ.clear()
    os.environ.update(req["env"])
    sys.argv[:] = req["argv"]
    sys.orig_argv[:] = req["orig_argv"]
    sys.path[:] = req["path"]
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    for s in range(1, signal.NSIG):  # a fresh Python's dispositions, and the ignored ones it inherits
        try:
            if s in req["ignored"]:
                signal.signal(s, signal.SIG_IGN)
            elif s == signal.SIGINT:
                signal.signal(s, signal.default_int_handler)
            elif s in (signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(s, signal.SIG_IGN)
            elif signal.getsignal(s) not in (signal.SIG_DFL, None):
                signal.signal(s, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, req["mask"])
    streams = []
    for fd, spec in enumerate(req["stdio"]):
        if spec is None:
            streams.append(None)
            continue
        mode = "rb" if fd == 0 else "wb"
        raw = io.FileIO(fd, mode, closefd=False)
        raw.name = ("<stdin>", "<stdout>", "<stderr>")[fd]
        buf = raw
        if spec["buffered"]:
            buf = io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw)
        text = io.TextIOWrapper(buf, encoding=spec["encoding"], errors=spec["errors"], newline="\n",
                                line_buffering=spec["line_buffering"], write_through=spec["write_through"])
        text.mode = "r" if fd == 0 else "w"
        streams.append(text)
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams
    import tempfile

    tempfile.tempdir = None  # the job's TMPDIR
    _thread_limits(req["env"])
    if "numpy" in sys.modules:  # a fresh process seeds numpy's global generator from the OS
        sys.modules["numpy"].random.seed()


def _thread_limits(env) -> None:
    """The job's BLAS/OpenMP thread counts (the server imported them at one thread), as the
    variables Snakemake sets would have made them at import."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    ncpu = len(os.sched_getaffinity(0))

    def n(*names):
        for v in names:
            if env.get(v, "").strip().isdigit() and int(env[v]) > 0:
                return int(env[v])
        return ncpu

    threadpool_limits(limits={"openmp": n("OMP_NUM_THREADS"),
                              "blas": n("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS",
                                        "OMP_NUM_THREADS")})


def _run_main(req, preloaded) -> int:
    """Run the script as __main__ and finish as Py_FinalizeEx would (threads joined, atexit, streams
    flushed), without tearing down the preloaded modules (a second of copy-on-write per job)."""
    import atexit
    import gc
    import threading
    import types
    from importlib.machinery import SourceFileLoader

    t0 = time.monotonic()
    rss0 = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    path = req["file"]
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__loader__ = SourceFileLoader("__main__", path)
    import builtins

    main.__builtins__ = builtins
    main.__cached__ = None
    sys.modules["__main__"] = main
    status, interrupted = 0, False
    try:
        with open(path, "rb") as f:
            code = compile(f.read(), path, "exec", dont_inherit=True)
        exec(code, main.__dict__)
    except SystemExit as e:
        status = _exit_code(e)
    except BaseException as e:
        interrupted = isinstance(e, KeyboardInterrupt)
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != path:
            tb = tb.tb_next
        try:
            if tb is not None:
                e.__traceback__ = tb  # from the script's frame on, as `python FILE` shows it
            sys.excepthook(type(e), e, e.__traceback__)
        except BaseException:
            pass
        status = 1
        del e, tb
    try:
        threading._shutdown()
    except BaseException:
        pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    smk = main.__dict__.get("snakemake")
    try:
        _usage(smk, t0, rss0, status)
    except Exception:
        pass
    main.__dict__.clear()  # what module teardown would close (files left open by the script)
    gc.collect()
    for s in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            s.flush()
        except BaseException:
            pass
    if interrupted:  # as Python does for an uncaught KeyboardInterrupt
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return status


def _exit_code(e: SystemExit) -> int:
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except BaseException:
        pass
    return 1


def _usage(smk, t0, rss0, status) -> None:
    """One line in the job's first log: what Snakemake's benchmark cannot see (it measures the
    client). max_rss includes the libraries preloaded by the server (shared with it, as a cold job
    holds its own imports); inherited_rss is their part at the start."""
    import resource

    logs = list(getattr(smk, "log", []) or [])
    if not logs or not isinstance(logs[0], str):
        return
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    line = {"mode": "warm", "status": status, "wall_s": round(time.monotonic() - t0, 3),
            "cpu_s": round(own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, 3),
            "max_rss_mib": round(max(own.ru_maxrss, kids.ru_maxrss) / 1024, 1),
            "inherited_rss_mib": round(rss0 / 2**20, 1)}
    with open(logs[0], "a") as f:
        f.write(TAG + json.dumps(line, sort_keys=True) + "\n")


def read_usage(log_path) -> dict | None:
    """The usage line of a job's log (benchmarks/summarize.py), or None (a cold job)."""
    try:
        with open(log_path, errors="replace") as f:
            lines = [x for x in f if x.startswith(TAG)]
    except OSError:
        return None
    return json.loads(lines[-1][len(TAG):]) if lines else None


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "serve":
    sys.exit(Server(sys.argv[2]).run())
