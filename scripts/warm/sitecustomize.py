"""The warm worker's client (the server: scripts/mlviz/workflow/warm.py, which explains the design).

Python imports this module as it starts whenever this folder is on PYTHONPATH; mlviz puts it there
only for the local jobs of a run (mlviz.workflow.warm.configure, called from rules/common.smk). In a
Snakemake script job (`python .snakemake/scripts/tmpXXXX.<script>.py`) it hands the job to a server
that has already imported the heavy libraries and exits with the job's status. Anywhere else, with
MLVIZ_WARM=0, or whenever no server is ready, it does nothing and Python runs the script itself
(starting a server for the jobs that follow). Then it runs the sitecustomize it hides, if any.

Every job pays for this file before it works: it uses only modules built into the interpreter
(no re, json, socket, signal or hashlib wrappers: tens of milliseconds each on a busy machine).
"""
import os
import sys

ENABLE = "MLVIZ_WARM_JOBS"  # set by mlviz.workflow.warm.configure for this run's local jobs
SWITCH = "MLVIZ_WARM"  # MLVIZ_WARM=0: off
TIMEOUT = float(os.environ.get("MLVIZ_WARM_TIMEOUT", "10"))  # for the server's "ready"; then cold
# Not part of the key (the child applies them all): what Snakemake sets per job (threads, the
# tmpdir resource) and what the shell sets per command and folder.
PER_JOB = ("OMP_NUM_THREADS", "GOTO_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
           "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "TMPDIR", "TMP", "TEMP", "TEMPDIR",
           "_", "PWD", "OLDPWD", "SHLVL")
THREAD_VARS = PER_JOB[:6]
HERE = os.path.abspath(__file__)
SERVER = os.path.join(os.path.dirname(os.path.dirname(HERE)), "mlviz", "workflow", "warm.py")
LIMITS = ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_NPROC")
# The server: a fresh interpreter, sys.path as a job's before its script folder is added, warm.py as __main__.
BOOT = "import sys, runpy; del sys.path[0]; runpy.run_path(sys.argv.pop(1), run_name='__main__')"
NO_CONTAINERS = ("SLURM_JOB_ID", "APPTAINER_CONTAINER", "SINGULARITY_CONTAINER")


def is_job() -> bool:
    """A Snakemake script job of a run that enabled the worker, started as plain `python FILE`, on
    this machine (not in a SLURM allocation or a container)."""
    env = os.environ
    if env.get(ENABLE) != "1" or env.get(SWITCH, "1") == "0" or any(v in env for v in NO_CONTAINERS):
        return False
    argv0 = sys.argv[0] if len(sys.argv) == 1 else ""
    folder, name = os.path.split(argv0)
    return (folder.replace("\\", "/").endswith(".snakemake/scripts") and name.startswith("tmp")
            and name.endswith(".py") and sys.platform.startswith("linux")
            and list(getattr(sys, "orig_argv", [None])[1:]) == sys.argv
            and not (sys.flags.interactive or sys.flags.inspect or sys.flags.isolated or sys.flags.safe_path)
            and os.path.isfile(argv0))


def fingerprint(path=None) -> list:
    """The files whose change retires a server: the worker's code, the interpreter, and the folders
    on sys.path (installing a package changes site-packages)."""
    out = []
    for p in [SERVER, HERE, sys.executable, *(sys.path if path is None else path)]:
        try:
            st = os.stat(p or ".")
            out.append((p, st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append((p, None))
    return out


def key(env=None, path=None) -> str:
    """What a server's imports depend on: user, interpreter, sys.path, the fingerprint, and the
    environment less the per-job variables. Not the working directory: one server serves every
    folder (a test session's many runs)."""
    env = os.environ if env is None else env
    parts = (os.getuid(), sys.executable, sys.prefix, sys.base_prefix, list(sys.path if path is None else path),
             sorted((k, v) for k, v in env.items() if k not in PER_JOB), fingerprint(path))
    try:
        from _sha256 import sha256
    except ImportError:  # Python >= 3.12
        from hashlib import sha256
    return sha256(repr(parts).encode("utf-8", "surrogateescape")).hexdigest()[:24]


def names(k: str):
    """(the serving socket, the lock socket): Linux abstract names, nothing on disk to go stale."""
    base = f"\0mlviz-warm-{os.getuid()}-{k}"
    return base.encode(), (base + "-lock").encode()


def logdir():
    """Where servers write their logs: MLVIZ_WARM_LOGDIR, else $XDG_RUNTIME_DIR/mlviz-warm, else
    /tmp/mlviz-warm-UID; a folder this user owns and nobody else may enter, or none."""
    d = os.environ.get("MLVIZ_WARM_LOGDIR") or (
        os.path.join(os.environ["XDG_RUNTIME_DIR"], "mlviz-warm") if os.environ.get("XDG_RUNTIME_DIR")
        else f"/tmp/mlviz-warm-{os.getuid()}")
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        st = os.lstat(d)
        if st.st_mode & 0o170000 == 0o040000 and st.st_uid == os.getuid() and not st.st_mode & 0o077:
            return d
    except OSError:
        pass
    return None


def peer_uid(sock) -> int:
    import _socket
    import _struct

    return _struct.unpack("3i", sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12))[1]


def lines(sock, buf: bytearray):
    """Complete lines received (blocking until at least one), or None at EOF."""
    while b"\n" not in buf:
        data = sock.recv(4096)
        if not data:
            return None
        buf += data
    *done, rest = bytes(buf).split(b"\n")
    buf[:] = rest
    return [d.decode() for d in done]


def client() -> None:
    """Hand this job to the server and exit with its status; return to run it here (cold)."""
    if not is_job():
        return
    import _socket

    k = key()
    main, lock = names(k)
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(TIMEOUT)
        sock.connect(main)
        if peer_uid(sock) != os.getuid():
            raise PermissionError("warm server of another user")
    except OSError:
        sock.close()
        start_server(k, lock)
        return
    handover(sock)


def start_server(k: str, lock: bytes) -> None:
    """Start a server for this key unless one holds the lock (it is importing): detached (own
    session, reparented to init), so that it is no part of this job's process tree or benchmark."""
    import _socket

    probe = _socket.socket(_socket.AF_UNIX, _socket.SOCK_DGRAM)
    try:
        probe.connect(lock)
        return  # a server is warming up
    except OSError:
        pass
    finally:
        probe.close()
    d = logdir()
    log = os.path.join(d, f"server-{k[:12]}.log") if d else None
    pid = os.fork()
    if pid == 0:  # first child: new session, fork the server, exit at once
        try:
            os.setsid()
            if os.fork() == 0:
                os.chdir("/")  # hold no job folder
                null = os.open(os.devnull, os.O_RDWR)
                out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) if log else null
                os.dup2(null, 0)
                os.dup2(out, 1)
                os.dup2(out, 2)
                os.closerange(3, 1 << 16)
                os.execv(sys.executable, [sys.executable, "-c", BOOT, SERVER, "serve", k])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _stdio(stream, fd):
    try:
        os.fstat(fd)
        return {"encoding": stream.encoding, "errors": stream.errors, "line_buffering": stream.line_buffering,
                "write_through": stream.write_through, "buffered": hasattr(stream.buffer, "raw")}
    except (OSError, AttributeError):
        return None


def _open_fds():
    out = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            out.append(fd)
        except OSError:
            pass
    return out


def request() -> dict:
    """Everything of this process that `python FILE` would have given the job."""
    import _signal
    import resource

    argv0 = sys.argv[0]
    umask = os.umask(0o022)
    os.umask(umask)
    ignored = []
    for s in range(1, _signal.NSIG):
        try:
            if _signal.getsignal(s) == _signal.SIG_IGN:
                ignored.append(s)
        except (ValueError, OSError):
            pass
    return {"argv": sys.argv, "orig_argv": sys.orig_argv, "file": os.path.abspath(argv0), "cwd": os.getcwd(),
            "env": dict(os.environ), "umask": umask, "fds": _open_fds(),
            # What Python puts first on sys.path for `python FILE` (after site: not there yet).
            "path": [os.path.dirname(os.path.realpath(argv0)), *sys.path],
            "stdio": [_stdio(s, fd) for fd, s in enumerate((sys.stdin, sys.stdout, sys.stderr))],
            "ignored": ignored, "mask": sorted(int(s) for s in _signal.pthread_sigmask(_signal.SIG_BLOCK, [])),
            "limits": {n: resource.getrlimit(getattr(resource, n)) for n in LIMITS if hasattr(resource, n)},
            "nice": os.getpriority(os.PRIO_PROCESS, 0)}


def handover(sock) -> None:
    """Send the job; from then on it is the child's. Returns only to run the job here: the server
    never took it, the child could not set up, or the server died (its child with it: both held
    this connection, so EOF means both are gone)."""
    import _signal
    import _socket
    import _struct

    buf = bytearray()
    try:
        if lines(sock, buf) != ["R"]:  # the server's accept, within TIMEOUT
            raise OSError("not ready")
        req = request()
        data = repr(req).encode("utf-8", "surrogateescape")
        data = _struct.pack("!I", len(data)) + data
        sock.settimeout(None)
        fds = _struct.pack(f"{len(req['fds'])}i", *req["fds"])
        sent = sock.sendmsg([data[:4096]], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        sock.sendall(data[sent:])
    except OSError:
        sock.close()
        return  # the server never read the job: run it here
    # Committed. Ctrl-C and kill reach this process, not the child: forward them.
    forwarded = [s for s in (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT, _signal.SIGUSR1,
                             _signal.SIGUSR2, _signal.SIGCONT, _signal.SIGTSTP) if s not in req["ignored"]]

    def forward(n, _frame):
        try:
            sock.sendall(f"K {_signal.SIGSTOP if n == _signal.SIGTSTP else n}\n".encode())
        except OSError:
            pass
        if n == _signal.SIGTSTP:  # Ctrl-Z: the job stops, then this process (job control sees it)
            os.kill(os.getpid(), _signal.SIGSTOP)

    for s in forwarded:
        _signal.signal(s, forward)
    started = failed = False
    while True:
        try:
            got = lines(sock, buf)
        except OSError:
            got = None
        if got is None:
            break
        for line in got:
            kind, _, arg = line.partition(" ")
            started |= kind == "S"
            failed |= kind == "F"  # the child could not set up: the script never ran
            if kind == "X" and not failed:
                exit_as(arg)
        if failed and any(x.startswith("X") for x in got):
            break
    for s in forwarded:
        _signal.signal(s, _signal.default_int_handler if s == _signal.SIGINT else _signal.SIG_DFL)
    sock.close()
    print(f"mlviz warm worker: {'the server died' if started and not failed else 'the job did not start'}; "
          "running it here", file=sys.stderr)


def exit_as(status: str):
    """Exit as the job did: its code, or the signal it died of."""
    import _signal

    kind, _, n = status.partition(" ")
    if kind == "s":
        sig = int(n)
        try:
            _signal.signal(sig, _signal.SIG_DFL)
            _signal.pthread_sigmask(_signal.SIG_UNBLOCK, [sig])
            os.kill(os.getpid(), sig)
        except (OSError, ValueError):
            pass
        os._exit(128 + sig)
    os._exit(int(n))


def _chain():
    """The next sitecustomize on sys.path (a distribution's or a tool's), as if this one were absent."""
    import importlib.machinery

    here = os.path.dirname(HERE)
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.origin and os.path.abspath(spec.origin) != HERE:
        import importlib.util

        module = importlib.util.module_from_spec(spec)
        sys.modules["sitecustomize"] = module
        spec.loader.exec_module(module)


if __name__ == "sitecustomize":
    try:
        client()
    except KeyboardInterrupt:  # Ctrl-C while connecting: die of it, as the job would have
        import _signal

        _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
        os.kill(os.getpid(), _signal.SIGINT)
    except Exception as e:  # never lose a job to the optimisation: run it here
        print(f"mlviz warm worker: {type(e).__name__}: {e}; running the job here", file=sys.stderr)
    _chain()
