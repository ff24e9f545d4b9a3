"""The kernel template: a process that imported ipykernel, pandas, matplotlib and khuyenhoc once, never runs a
notebook, and forks a new kernel process for each request (a fraction of a second instead of two).

A request is one JSON line on the template's Unix socket ``{"argv": [...], "cwd": ..., "env": {...}, "watch": pid}``;
the reply is ``{"pid": kernel, "template": its own pid}``. A forked kernel starts ipykernel on the connection file
jupyter_client wrote (see :mod:`khuyenhoc.runner.provisioner`); it ends when the process ``watch`` ends and when the
template ends (its exec lines ask for it, :data:`WARM_IMPORTS`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 120
SOCKET_ROOT_MAX = 60  # + "/khuyenhoc-t-XXXXXXXX/template.sock" stays under the ~107-byte limit of a socket path
FORK_SWITCH = "KHUYENHOC_KERNEL_FORK"  # "0": start every kernel as a plain subprocess (benchmarks compare both)
# Imported while the kernel boots (already imported in the template); the kernel also ends if its parent dies.
WARM_MODULES = (
    "khuyenhoc.render.display",
    "khuyenhoc.render.charts",
    "khuyenhoc.reports.annual",
    "khuyenhoc.reports.profile",
    "khuyenhoc.reports.trends",
    "khuyenhoc.snapshot",
    "khuyenhoc.runner.lifeline",
)
WARM_IMPORTS = f"import {', '.join(WARM_MODULES)}; khuyenhoc.runner.lifeline.die_with_parent()"


def fork_wanted() -> bool:
    """Whether kernels are forked from a template here (Linux, unless switched off for a comparison)."""
    return sys.platform.startswith("linux") and os.environ.get(FORK_SWITCH) != "0"


# --- in the template's process --------------------------------------------------------------------

def serve(address: str) -> None:
    """The template's main loop: listen on ``address`` at once (requests wait in its queue), import once, then fork
    a kernel for each request."""
    import socket

    from khuyenhoc.runner.lifeline import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C is the run's to handle: it ends the template itself
    die_with_parent()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(quiet, fd)  # nothing the imports print goes anywhere
    _warm()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they end: no zombies
    while True:
        connection, _ = listener.accept()
        with connection:
            request = json.loads(connection.makefile("rb").readline())
            pid = os.fork()
            if pid == 0:
                listener.close()
                connection.close()
                _kernel_main(request, quiet)
            connection.sendall(json.dumps({"pid": pid, "template": os.getpid()}).encode() + b"\n")


def _warm() -> None:
    """What every notebook imports and the first chart loads (fonts), done once before any fork."""
    import sqlite3  # noqa: F401 - IPython's history, even in memory
    import threading

    import ipykernel.debugger  # noqa: F401 - debugpy: a tenth of a second in every kernel otherwise
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import IPython.core.completerlib  # noqa: F401
    import IPython.extensions.storemagic  # noqa: F401
    import matplotlib
    import pyarrow.dataset  # noqa: F401 - what reading a snapshot imports on first use
    import pyarrow.pandas_compat  # noqa: F401
    import tornado.platform.asyncio  # noqa: F401
    import tornado.queues  # noqa: F401
    from matplotlib.figure import Figure

    import khuyenhoc.render.display  # noqa: F401
    import khuyenhoc.reports.annual  # noqa: F401
    import khuyenhoc.reports.profile  # noqa: F401
    import khuyenhoc.reports.trends  # noqa: F401
    import khuyenhoc.runner.lifeline  # noqa: F401
    import khuyenhoc.snapshot  # noqa: F401
    from khuyenhoc.render.charts import STYLE, to_png

    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(2, 1), layout="constrained")
        figure.add_subplot().set_title("Khuyến học 1.234")
    to_png(figure)  # the renderer, its fonts and the palette encoder
    if threading.active_count() != 1:  # a fork copies only the forking thread: nothing may run beside it
        raise RuntimeError("the kernel template must not start threads")


def _watch(pid: int) -> None:
    """End this process when ``pid`` ends (a thread: the worker that asked for this kernel is not its parent)."""
    import threading

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="khuyenhoc-watch", daemon=True).start()


def _kernel_main(request: dict, quiet: int) -> None:
    """In the forked child: a new session, quiet standard streams, the job's folder, then ipykernel."""
    code = 0
    try:
        os.setsid()
        if request.get("watch"):
            _watch(int(request["watch"]))
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL if signum != signal.SIGINT else signal.default_int_handler)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        os.chdir(request["cwd"])
        os.environ.update(request["env"])
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=request["argv"])
    except BaseException:  # noqa: BLE001 - a kernel that cannot start ends; nbclient reports it dead
        code = 1
    finally:
        os._exit(code)


# --- in the process that asks for kernels -------------------------------------------------------------

@dataclass(frozen=True)
class Forked:
    """A kernel the template forked: its pid and the template's (its parent)."""

    pid: int
    template: int


def request_fork(address: str, argv: list[str], cwd: str, env: dict[str, str]) -> Forked:
    """Ask the template at ``address`` for a kernel (OSError when it does not answer)."""
    import socket

    changed = {key: value for key, value in env.items() if os.environ.get(key) != value}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(START_TIMEOUT)
        connection.connect(address)
        connection.sendall(json.dumps({"argv": argv, "cwd": cwd, "env": changed, "watch": os.getpid()}).encode() + b"\n")
        line = connection.makefile("rb").readline()
    try:
        reply = json.loads(line)
        return Forked(int(reply["pid"]), int(reply["template"]))
    except (ValueError, KeyError, TypeError):
        raise OSError(f"kernel template at {address} did not fork a kernel") from None


def alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (a zombie, ended but not yet reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True  # no /proc here: it exists


def socket_root() -> str | None:
    """The temp folder, unless its path is too long for a socket name (about 100 bytes): then the system's."""
    root = tempfile.gettempdir()
    return root if len(root.encode()) <= SOCKET_ROOT_MAX else ("/tmp" if os.access("/tmp", os.W_OK) else None)  # noqa: S108


class Template:
    """A running template process and the folder of its socket (removed with it)."""

    def __init__(self, folder: Path) -> None:
        """Start one listening in ``folder`` (made by the caller; a short folder inside the temp folder is used when
        ``folder``'s path is too long for a socket). Returns once the socket exists, before its imports are done."""
        self.folder = folder if len(str(folder).encode()) <= SOCKET_ROOT_MAX else Path(tempfile.mkdtemp(prefix="khuyenhoc-t-", dir=socket_root()))
        self.own_folder = self.folder != folder
        self.address = str(self.folder / "template.sock")
        # "ipykernel-template" names it in ps (its forks, the kernels, show the same command line)
        self.process = subprocess.Popen([sys.executable, "-c", "import sys; from khuyenhoc.runner.template import serve; serve(sys.argv[1])",
                                         self.address, "ipykernel-template"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, close_fds=True)
        deadline = time.monotonic() + START_TIMEOUT
        while not os.path.exists(self.address):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise OSError("kernel template did not start")
            time.sleep(0.01)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """End it (idempotent) and remove its socket."""
        import shutil

        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        Path(self.address).unlink(missing_ok=True)
        if self.own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def shared_template(folder: Path) -> Iterator[str | None]:
    """A template for every worker of a run on this machine, started now (its imports overlap the client's
    validation) in ``folder`` (the run's): yields its address (None where fork is not used); it ends with the block."""
    if not fork_wanted():
        yield None
        return
    template = Template(folder)
    try:
        yield template.address
    finally:
        template.stop()
