"""Kernel lifecycle: one fresh kernel process per notebook, started in a fraction of a second.

Each worker process keeps a *template*: a process that imported ipykernel, pandas, matplotlib and
khuyenhoc once and never runs a notebook. A kernel is a fork of it (a new process, so nothing leaks
between notebooks) that starts ipykernel on the connection file jupyter_client wrote: the
:class:`ForkProvisioner` keeps jupyter_client's and nbclient's protocol (signals, polling, shutdown),
only the launch differs. Where fork is unavailable (not Linux, the template failed), kernels start
as ordinary subprocesses.

Kernels started outside nbclient get what nbclient would give them: IPython history in memory and
the job's scratch folder as working directory (each kernel is made with its own scratch folder, so a
kernel prepared ahead already sits in the folder its notebook will use).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from dataclasses import dataclass
from pathlib import Path

KERNEL_NAME = "python3"
# Imported while the kernel boots (already imported in the template); the kernel also ends if its parent dies.
WARM_IMPORTS = "import khuyenhoc.display, khuyenhoc.summary, khuyenhoc.snapshot, khuyenhoc.runner.lifeline; khuyenhoc.runner.lifeline.die_with_parent()"
KERNEL_ARGUMENTS = [f"--IPKernelApp.exec_lines={WARM_IMPORTS}", "--HistoryManager.hist_file=:memory:"]
START_TIMEOUT = 120
SOCKET_ROOT_MAX = 60  # + "/khuyenhoc-kernel-XXXXXXXX/k-NNNNN" stays under the ~107-byte limit of a socket path
FORK_SWITCH = "KHUYENHOC_KERNEL_FORK"  # "0": start every kernel as a plain subprocess (benchmarks compare both)


# --- the template (runs in its own process) -------------------------------------------------------

def serve(address: str) -> None:
    """The template's main loop: listen on the Unix socket ``address`` at once (requests wait in its queue), import
    once, then fork a kernel for each request.

    A request is one JSON line ``{"argv": [...], "cwd": ..., "env": {...}, "watch": pid}``; the reply is the new
    kernel's pid. The kernel ends when the process ``watch`` (the worker that asked for it) ends.
    """
    import socket

    from khuyenhoc.runner.lifeline import die_with_parent

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
            connection.sendall(f"{pid}\n".encode())


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

    import khuyenhoc.display  # noqa: F401
    import khuyenhoc.runner.lifeline  # noqa: F401
    import khuyenhoc.snapshot  # noqa: F401
    import khuyenhoc.summary  # noqa: F401
    from khuyenhoc.charts import STYLE, to_png

    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(2, 1), layout="constrained")
        figure.add_subplot().set_title("Khuyến học 1.234")
    to_png(figure)  # the renderer, its fonts and the palette encoder
    if threading.active_count() != 1:  # a fork copies only the forking thread: nothing may run beside it
        raise RuntimeError("the kernel template must not start threads")


def _watch(pid: int) -> None:
    """End this process when ``pid`` ends (a thread: the worker that asked for this kernel is not its parent)."""
    import threading
    import time

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


# --- the worker's side --------------------------------------------------------------------------

def start_template(address: str) -> subprocess.Popen:
    """A template process listening on ``address`` (returns once the socket exists, before its imports are done)."""
    import time

    # "ipykernel-template" names it in ps (its forks, the kernels, show the same command line)
    process = subprocess.Popen([sys.executable, "-c", "import sys; from khuyenhoc.runner.kernels import serve; serve(sys.argv[1])",
                                address, "ipykernel-template"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, close_fds=True)
    deadline = time.monotonic() + START_TIMEOUT
    while not os.path.exists(address):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise OSError("kernel template did not start")
        time.sleep(0.01)
    return process


def template_address(folder: str | Path) -> str:
    """Where a template in ``folder`` listens (a short folder when ``folder`` is too long for a socket's name)."""
    folder = Path(folder)
    if len(str(folder).encode()) > SOCKET_ROOT_MAX:
        folder = Path(tempfile.mkdtemp(prefix="khuyenhoc-t-", dir=_socket_root()))
    return str(folder / "template.sock")


@contextmanager
def shared_template(folder: str | Path) -> Iterator[str | None]:
    """A template for every worker of a run on this machine, started now (its imports overlap the client's
    validation): yields its address for the workers (None where fork is not used); it ends with the block."""
    if _fork_unavailable():
        yield None
        return
    address = template_address(folder)
    try:
        process = start_template(address)
    except OSError:
        yield None
        return
    try:
        yield address
    finally:
        process.kill()
        process.wait()
        Path(address).unlink(missing_ok=True)
        if Path(address).parent != Path(folder):  # the short folder made for a socket name
            shutil.rmtree(Path(address).parent, ignore_errors=True)


def _fork_unavailable() -> bool:
    return not sys.platform.startswith("linux") or os.environ.get(FORK_SWITCH) == "0"


class _Template:
    """The template this worker's kernels fork from: the run's shared one (:meth:`use`), else its own, started on first use."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.address: str | None = None
        self.shared = False
        self.failed = _fork_unavailable()

    def use(self, address: str | None) -> None:
        """Fork from the run's shared template at ``address`` (None: this worker's own)."""
        if address and address != self.address:
            self.stop()
            self.address, self.shared = address, True

    def fork(self, argv: list[str], cwd: str, env: dict[str, str]) -> int | None:
        """A new kernel process (its pid), or None when no template can make one."""
        import socket

        if self.failed:
            return None
        try:
            if self.address is None or (not self.shared and (self.process is None or self.process.poll() is not None)):
                self._start_own()
            changed = {key: value for key, value in env.items() if os.environ.get(key) != value}
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(START_TIMEOUT)
                connection.connect(self.address)
                connection.sendall(json.dumps({"argv": argv, "cwd": cwd, "env": changed, "watch": os.getpid()}).encode() + b"\n")
                return int(connection.makefile("rb").readline())
        except (OSError, ValueError):
            if self.shared:  # the run's template is gone: this worker's own from now on
                self.address, self.shared = None, False
                return self.fork(argv, cwd, env)
            self.failed = True  # from now on, plain subprocesses
            self.stop()
            return None

    def _start_own(self) -> None:
        self.stop()
        self.address = template_address(tempfile.mkdtemp(prefix="khuyenhoc-template-"))
        self.process = start_template(self.address)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        if self.address is not None and not self.shared:
            shutil.rmtree(Path(self.address).parent, ignore_errors=True)
        self.address, self.shared = None, False


TEMPLATE = _Template()


class _Forked:
    """A forked kernel as jupyter_client's provisioner handles a Popen: poll, wait, signals."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -1  # reaped by the template: the code is not ours to read
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


async def _reaped(process: _Forked, limit: float = 1.0) -> None:
    """Wait (briefly) until a killed forked kernel is gone: its template reaps it in milliseconds, where
    jupyter_client would look every tenth of a second."""
    import asyncio

    for _ in range(int(limit / 0.005)):
        if process.poll() is not None:
            return
        await asyncio.sleep(0.005)


@cache
def _client_class():
    """jupyter_client's async kernel client, ready as soon as the kernel answers (see ``wait_for_ready``)."""
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        def start_channels(self, *args, **kwargs) -> None:
            """Start them and note this client on its kernel's manager, so :meth:`Kernel.stop` stops them: nbclient
            leaves running the channels of a kernel it did not start (a heartbeat thread, a zmq context and a
            dozen file descriptors per notebook otherwise)."""
            super().start_channels(*args, **kwargs)
            clients = getattr(self.parent, "khuyenhoc_clients", None)
            if clients is not None:
                clients.append(self)

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            """jupyter_client's readiness check (a kernel_info reply on shell, then a message on IOPub, so both
            are connected), without its closing wait for 0.2 s of IOPub silence: what is queued is drained at
            once, and nbclient takes on IOPub only the messages of the cell it runs."""
            import math
            import time

            deadline = time.monotonic() + (math.inf if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        break
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
            while True:
                try:
                    await self.iopub_channel.get_msg(timeout=0)
                except Empty:
                    break

    return ReadyClient


@cache
def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """LocalProvisioner whose kernels are forks of the worker's template (see the module's docstring)."""

        async def launch_kernel(self, cmd: list[str], **kwargs):
            if "ipykernel_launcher" in cmd:
                argv = cmd[cmd.index("ipykernel_launcher") + 1:]
                env = dict(kwargs.get("env") or {}, JPY_PARENT_PID=str(os.getpid()))  # as jupyter_client's launcher says it
                pid = TEMPLATE.fork(argv, str(kwargs.get("cwd") or os.getcwd()), env)
                if pid is not None:
                    self.process, self.pid, self.pgid = _Forked(pid), pid, pid  # its own session: signals reach its group
                    self.cwd = kwargs.get("cwd")
                    return self.connection_info
            return await super().launch_kernel(cmd, **kwargs)

        async def kill(self, restart: bool = False) -> None:
            await super().kill(restart)
            if isinstance(self.process, _Forked):
                await _reaped(self.process)

    return ForkProvisioner


@dataclass
class Kernel:
    """A started kernel and the scratch folder it works in (the job's)."""

    manager: object  # jupyter_client AsyncKernelManager
    folder: Path

    def cpu_seconds(self) -> float:
        """CPU time the kernel process has used so far (0 where /proc cannot tell)."""
        pid = getattr(getattr(self.manager, "provisioner", None), "pid", None)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        except (OSError, ValueError, IndexError):
            return 0.0

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return bool(run_sync(self.manager.is_alive)())

    def stop(self) -> None:
        """Shut the kernel down (idempotent)."""
        from jupyter_core.utils import run_sync

        if self.manager is None:
            return
        clients = getattr(self.manager, "khuyenhoc_clients", [])
        for client in clients:
            client.stop_channels()  # joins their threads, destroys their zmq context
        clients.clear()
        try:
            run_sync(self.manager.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001, S110 - a kernel that is already gone is fine
            pass
        shutil.rmtree(getattr(self.manager, "khuyenhoc_sockets", ""), ignore_errors=True)
        self.manager = None

    def discard(self) -> None:
        """Stop it and remove its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def kill_now(self) -> None:
        """SIGKILL its process group, without the shutdown protocol (safe inside a signal handler)."""
        pid = getattr(getattr(self.manager, "provisioner", None), "pid", None)
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)  # a session leader either way: forked (setsid) or launched by jupyter_client
            except OSError:
                pass
        shutil.rmtree(getattr(self.manager, "khuyenhoc_sockets", ""), ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def _socket_root() -> str | None:
    """The run's temp folder, unless its path is too long for a socket name (about 100 bytes): then the system's."""
    root = tempfile.gettempdir()
    return root if len(root.encode()) <= SOCKET_ROOT_MAX else ("/tmp" if os.access("/tmp", os.W_OK) else None)  # noqa: S108


def start_kernel() -> Kernel:
    """A new kernel on private IPC sockets (no TCP ports to race for), in a new scratch folder."""
    # The async manager: with a blocking one, nbclient neither enforces cell timeouts nor notices a dead kernel.
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    folder = Path(tempfile.mkdtemp(prefix="khuyenhoc-job-"))
    sockets = Path(tempfile.mkdtemp(prefix="khuyenhoc-kernel-", dir=_socket_root()))
    manager = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(sockets / "k"),
                                 connection_file=str(sockets / "connection.json"))
    manager.khuyenhoc_sockets = sockets
    manager.client_factory = _client_class()
    manager.khuyenhoc_clients = []  # the clients started on it (see ReadyClient.start_channels)
    manager.provisioner = _provisioner_class()(kernel_id=None, kernel_spec=manager.kernel_spec, parent=manager)
    kernel = Kernel(manager, folder)
    LIVE.add(kernel.folder)
    try:
        run_sync(manager.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=str(folder),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except BaseException:
        kernel.discard()
        raise
    return kernel


class _Kernels:
    """This process's kernels: the one running now and the one prepared for the next notebook."""

    def __init__(self) -> None:
        self.spare: Kernel | None = None
        self.current: Kernel | None = None

    def take(self, prepare_next: bool) -> Kernel:
        kernel, self.spare = self.spare, None
        if kernel is None or not kernel.alive():
            if kernel is not None:
                kernel.discard()
            kernel = start_kernel()
        self.current = kernel
        if prepare_next:
            self.spare = start_kernel()
        return kernel

    def stop_all(self) -> None:
        for kernel in (self.current, self.spare):
            if kernel is not None:
                kernel.discard()
        self.current = self.spare = None
        TEMPLATE.stop()

    def kill_all(self) -> None:
        """On a signal: kill without waiting (the handler may have interrupted the code that holds their locks)."""
        for kernel in (self.current, self.spare):
            if kernel is not None:
                kernel.kill_now()
        if TEMPLATE.process is not None:  # this worker's own template (a shared one is the client's to end)
            TEMPLATE.process.kill()


KERNELS = _Kernels()
LIVE: set[Path] = set()  # scratch folders of this process's kernels, removed even when it is stopped by a signal


def remove_scratch() -> None:
    for folder in list(LIVE):
        shutil.rmtree(folder, ignore_errors=True)
    LIVE.clear()


@contextmanager
def fresh_kernel(prepare_next: bool = False) -> Iterator[Kernel]:
    """A kernel for one notebook (prepared ahead when there is one); stopped and its folder removed afterwards.
    With ``prepare_next``, the kernel for the next notebook starts now, while this one runs."""
    kernel = KERNELS.take(prepare_next)
    try:
        yield kernel
    finally:
        kernel.discard()
        LIVE.discard(kernel.folder)
        if KERNELS.current is kernel:
            KERNELS.current = None
