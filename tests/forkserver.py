"""glutekit commands in processes forked from one that has already imported glutekit.

Most tests start glutekit as a process of its own, a few thousand times a run. About
half of a short command's CPU time is Python starting and importing glutekit, the same
work every time. :func:`command` gives a command line that runs glutekit in a process
forked, for that one command, from a process of this xdist worker's that imported
glutekit and its libraries once (the "zygote"):

- The command line starts a small client (``python -I -S``, about 10 ms) that hands the
  zygote its standard input, output and error, its arguments, environment, working
  folder and resource limits, and exits as the glutekit process exits: with its exit
  code, or killed by the same signal. Signals sent to the client (SIGINT, SIGTERM,
  SIGHUP) are passed on; if the client is killed (a test's timeout), the glutekit
  process is killed too.
- The glutekit process runs ``python -m glutekit`` as a fresh one would (``runpy``,
  ``sys.argv``, ``sys.path[0]`` the working folder) and ends as one: ``SystemExit``,
  ``atexit`` handlers, objects finalised, buffers flushed.

What differs from a fresh process: Python's start and the imports happened before the
command's environment and arguments were known, so the hash seed is the zygote's
(every forked command of a worker shares it: two runs compared for identical output
do not see set order vary), standard output's buffering was chosen for a pipe, and the
modules the zygote imported are already there (anything they print or warn while
importing, nothing here, would not be seen). The glutekit process is in the zygote's
process group, not the client's: a signal to the client's group reaches glutekit only
as the client passes it on (SIGINT, SIGTERM, SIGHUP, SIGQUIT). Tests of start-up
itself (imports, Ctrl-C while Python starts, what a command imports), of signals to
process groups, and tests that set variables Python reads as it starts (``PYTHON*``,
the locale, ``TZ``) start glutekit fresh; :func:`command` does so too where the zygote
cannot run (no ``fork``, Unix sockets or pidfds), with ``fresh=True``, or when
``GKTESTS_FRESH_PROCESSES`` is set.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

FRESH = [sys.executable, "-m", "glutekit"]
#: Set (to anything) to start every glutekit process fresh, as before.
FRESH_VAR = "GKTESTS_FRESH_PROCESSES"

#: Imported once by the zygote: glutekit's commands and what most commands load.
PRELOAD = (
    "glutekit",
    "glutekit.cli",
    "glutekit.cli.app",
    "glutekit.cli.output",
    "glutekit.catalog",
    "glutekit.catalog.loaders",
    "glutekit.timeline",
    "glutekit.session",
    "glutekit.config",
    "glutekit.host.plugins",
    "jsonschema_rs",
    "rich.console",
)

_ZYGOTE = r"""
import importlib, marshal, os, signal, socket, struct, sys
path, preload = sys.argv[1], sys.argv[2].split(",")
for name in preload:
    importlib.import_module(name)
# Also every command's module (the CLI imports one per run).
from glutekit.cli import COMMANDS
for target in COMMANDS.values():
    importlib.import_module(target[0].split(":")[0])
os.close(os.pidfd_open(os.getpid()))  # the handlers need pidfds: fail now if the kernel has none
# What the zygote made stays in memory shared with its children: a collection in a
# child (every exit has one) skips it instead of touching, and so copying, each page.
import gc

gc.collect()
gc.freeze()
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(64)
parent = os.getppid()
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the zygote's handlers are reaped for it
sys.stdout.write("ready\n")
sys.stdout.flush()
server.settimeout(1.0)
while True:
    try:
        conn, _ = server.accept()
    except TimeoutError:
        if os.getppid() != parent:  # the worker is gone
            import shutil

            shutil.rmtree(os.path.dirname(path), ignore_errors=True)
            sys.exit(0)
        continue
    if os.fork() == 0:
        break
    conn.close()

# A handler for one command: reads the request, forks the glutekit process, reports.
signal.signal(signal.SIGCHLD, signal.SIG_DFL)
server.close()
conn.settimeout(None)


def read(n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            os._exit(0)
        data += chunk
    return data


header, fds, _, _ = socket.recv_fds(conn, 4, 3)
if len(header) < 4:
    header += read(4 - len(header))
request = marshal.loads(read(struct.unpack("!I", header)[0]))
child = os.fork()
if child:
    for fd in fds:
        os.close(fd)
    pidfd = os.pidfd_open(child)
    try:
        conn.sendall(struct.pack("!i", child))
    except OSError:  # the client is gone already: so is its command
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os._exit(0)
    import select

    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    poller.register(conn, select.POLLIN | select.POLLHUP)
    while True:
        ready = dict(poller.poll())
        if pidfd in ready:
            break
        if conn.fileno() in ready:
            signum = conn.recv(4)
            if len(signum) < 4:  # the client is gone: so is its command
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                os._exit(0)
            os.kill(child, struct.unpack("!i", signum)[0])
    _, status = os.waitpid(child, 0)
    try:
        conn.sendall(struct.pack("!i", status))
    except OSError:
        pass
    os._exit(0)

# The glutekit process.
def become(request, fds):
    import resource
    import runpy

    conn.close()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for name, (soft, hard) in request["limits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    sys.argv = ["-m", *request["args"]]
    sys.path[0] = request["cwd"]
    runpy.run_module("glutekit", run_name="__main__", alter_sys=True)


become(request, fds)
"""

_CLIENT = r"""
import _signal, _socket, array, marshal, os, sys

path = sys.argv[1]
limits = {}
for limit in filter(None, sys.argv[2].split(",")):
    name, soft, hard = limit.split(":")
    limits[name] = (int(soft), int(hard))
request = marshal.dumps(
    {"args": sys.argv[3:], "env": dict(os.environ), "cwd": os.getcwd(), "limits": limits}
)
conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
try:
    conn.connect(path)
except OSError:  # the zygote is gone: a fresh process, with the same limits
    if os.environ.get("GKTESTS_FORKSERVER_STRICT"):
        os.write(2, b"glutekit test client: no zygote at " + path.encode() + b"\n")
        os._exit(99)
    import resource

    for name, limit in limits.items():
        resource.setrlimit(getattr(resource, name), limit)
    os.execv(sys.executable, [sys.executable, "-m", "glutekit", *sys.argv[3:]])


pending = []


def forward(signum, frame):
    # Kept until the request is sent whole; then it waits in the socket, if glutekit has
    # not started yet, until the handler reads it.
    if pending is not None:
        pending.append(signum)
    else:
        conn.sendall(signum.to_bytes(4, "big", signed=True))


for signum in (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT):
    _signal.signal(signum, forward)
fds = array.array("i", [0, 1, 2]).tobytes()
conn.sendmsg([len(request).to_bytes(4, "big")], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
conn.sendall(request)
early, pending = pending, None
for signum in early:
    conn.sendall(signum.to_bytes(4, "big", signed=True))


def read(n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            os.write(2, b"glutekit test client: the zygote went away\n")
            os._exit(99)
        data += chunk
    return int.from_bytes(data, "big", signed=True)


child = read(4)
status = read(4)
if os.WIFSIGNALED(status):
    signum = os.WTERMSIG(status)
    try:
        _signal.signal(signum, _signal.SIG_DFL)
    except (OSError, ValueError):
        pass  # SIGKILL and SIGSTOP have no handler to reset
    os.kill(os.getpid(), signum)
os._exit(os.waitstatus_to_exitcode(status))
"""

#: A fresh glutekit process with resource limits: set here, then Python started anew.
#: (``preexec_fn`` would do it between fork and exec, and so make subprocess fork the
#: whole test worker, with coverage tracing the child, instead of using vfork.)
_LIMITED = r"""
import os, resource, sys

for limit in filter(None, sys.argv[1].split(",")):
    name, soft, hard = limit.split(":")
    resource.setrlimit(getattr(resource, name), (int(soft), int(hard)))
os.execv(sys.argv[2], sys.argv[2:])
"""

_socket: str | None = None
_zygote: subprocess.Popen[bytes] | None = None


def _start() -> str | None:
    """Start this process's zygote; the path of its socket, or None if it cannot run."""
    global _socket, _zygote
    if _zygote is not None:
        return _socket if _zygote.poll() is None else None
    if not hasattr(os, "fork") or not hasattr(socket, "send_fds") or not hasattr(os, "pidfd_open"):
        return None
    # Short: a Unix socket's path has room for about a hundred bytes.
    folder = Path(tempfile.mkdtemp(prefix="gkz-"))
    path = str(folder / "s")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE", "COVERAGE"))}
    _started_with.update(_read_at_start(env))
    with (folder / "log").open("wb") as log:
        _zygote = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE, path, ",".join(PRELOAD)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            cwd=folder,
        )
    assert _zygote.stdout is not None
    line = _zygote.stdout.readline()
    if line != b"ready\n":
        _zygote.kill()
        _zygote.wait()
        _zygote.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)
        return None

    def stop() -> None:
        if _zygote is not None:
            _zygote.kill()
            _zygote.wait()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    _socket = path
    return path


#: Variables Python reads as it starts: a command given other values than the zygote had
#: runs fresh.
_AT_START = ("PYTHON", "LC_", "LANG", "TZ")
_started_with: dict[str, str] = {}


def _read_at_start(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(_AT_START)}


def command(
    env: dict[str, str] | None = None,
    *,
    limits: dict[str, tuple[int, int]] | None = None,
    fresh: bool = False,
) -> list[str]:
    """The command line that starts ``glutekit`` (its arguments follow), for a process
    that gets ``env`` (this process's environment if None), with resource ``limits``
    (``{"RLIMIT_CPU": (soft, hard)}``) set for glutekit alone."""
    spec = ",".join(f"{name}:{soft}:{hard}" for name, (soft, hard) in (limits or {}).items())
    path = None if fresh or os.environ.get(FRESH_VAR) else _start()
    if path is None or _read_at_start(dict(os.environ if env is None else env)) != _started_with:
        if not spec:
            return list(FRESH)
        return [sys.executable, "-I", "-S", "-c", _LIMITED, spec, *FRESH]
    return [sys.executable, "-I", "-S", "-c", _CLIENT, path, spec]
