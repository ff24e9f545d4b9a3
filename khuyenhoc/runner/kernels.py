"""Kernel lifecycle: one fresh kernel process per notebook, started in a fraction of a second.

A :class:`KernelPool` owns a worker's kernels: the one running a notebook, the one prepared for the next, their
scratch and socket folders, and the kernel template they fork from when it started one itself (the run's shared
template belongs to the run). Kernels are forks of the template (:mod:`khuyenhoc.runner.template`) through
jupyter_client's provisioner seam (:mod:`khuyenhoc.runner.provisioner`); where fork is not used (not Linux,
switched off) they are ordinary subprocesses. A template that dies is replaced by a fresh one of the pool's own.

Kernels started outside nbclient get what nbclient would give them: IPython history in memory and the job's
scratch folder as working directory (a kernel prepared ahead already sits in the folder its notebook will use).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from khuyenhoc.runner.template import SOCKET_ROOT_MAX, START_TIMEOUT, WARM_IMPORTS, Template, alive, fork_wanted, socket_root

KERNEL_NAME = "python3"
KERNEL_ARGUMENTS = [f"--IPKernelApp.exec_lines={WARM_IMPORTS}", "--HistoryManager.hist_file=:memory:"]
__all__ = ["KERNEL_NAME", "START_TIMEOUT", "Kernel", "KernelPool"]


@dataclass
class Kernel:
    """A started kernel, the scratch folder it works in (the job's) and the folder of its sockets."""

    manager: object | None  # provisioner.PoolKernelManager
    folder: Path
    sockets: Path
    template: int | None = None  # the pid of the template it was forked from (None: a plain subprocess)

    @property
    def pid(self) -> int | None:
        return getattr(getattr(self.manager, "provisioner", None), "pid", None)

    def cpu_seconds(self) -> float:
        """CPU time the kernel process has used so far (0 where /proc cannot tell)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        except (OSError, ValueError, IndexError):
            return 0.0

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.manager is not None and bool(run_sync(self.manager.is_alive)())

    def lost_its_template(self) -> bool:
        """Whether it was forked from a template that is gone (its kernels died with it)."""
        return self.template is not None and not alive(self.template)

    def stop(self) -> None:
        """Shut the kernel down and stop its clients' channels (idempotent)."""
        from jupyter_core.utils import run_sync

        if self.manager is None:
            return
        self.manager.stop_clients()
        try:
            run_sync(self.manager.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001, S110 - a kernel that is already gone is fine
            pass
        shutil.rmtree(self.sockets, ignore_errors=True)
        self.manager = None

    def discard(self) -> None:
        """Stop it and remove its folders."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def kill_now(self) -> None:
        """SIGKILL its process group, without the shutdown protocol (safe inside a signal handler)."""
        if self.pid:
            try:
                os.killpg(self.pid, signal.SIGKILL)  # a session leader either way: forked (setsid) or launched by jupyter_client
            except OSError:
                pass
        shutil.rmtree(self.sockets, ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)


class KernelPool:
    """A worker's kernels, as a context manager: it removes only what it made (kernels, folders, its own template).

    ``root`` holds the kernels' scratch folders (the run's folder); ``template`` is the address of the run's shared
    template (None: the pool starts its own on first use, where fork is used).
    """

    def __init__(self, root: Path | str | None = None, template: str | None = None) -> None:
        self.root = Path(root) if root is not None else None
        self.shared = template
        self.own: Template | None = None
        self.spare: Kernel | None = None
        self.current: Kernel | None = None
        self.fork = fork_wanted()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def template_address(self) -> str | None:
        """The template to fork from: the run's, else this pool's own (started now if it is not running)."""
        if not self.fork:
            return None
        if self.shared is not None:
            return self.shared
        if self.own is None or not self.own.alive():
            self.replace_template()
        return self.own.address

    def replace_template(self) -> None:
        """A fresh template of this pool's own (the run's shared one is not used again: it died or stopped answering)."""
        self.shared = None
        if self.own is not None:
            self.own.stop()
        # short in the pool's root: its socket's path must fit in ~107 bytes
        folder = Path(tempfile.mkdtemp(prefix="t-" if self.root is not None else "khuyenhoc-template-", dir=self.root))
        try:
            self.own = Template(folder)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            self.own = None
            raise
        if self.own.own_folder:
            shutil.rmtree(folder, ignore_errors=True)

    def start(self) -> Kernel:
        """A new kernel on private IPC sockets (no TCP ports to race for), in a new scratch folder; forked from a
        fresh template when the one in use does not answer."""
        try:
            return self._start(self.template_address())
        except OSError:
            if not self.fork:
                raise
            self.replace_template()
            return self._start(self.own.address)

    def _start(self, address: str | None) -> Kernel:
        from jupyter_core.utils import run_sync

        from khuyenhoc.runner.provisioner import ForkSpecs, PoolKernelManager

        folder = Path(tempfile.mkdtemp(prefix="khuyenhoc-job-", dir=self.root))
        sockets = Path(tempfile.mkdtemp(prefix="khuyenhoc-kernel-", dir=self._socket_root()))
        # The async manager: with a blocking one, nbclient neither enforces cell timeouts nor notices a dead kernel.
        manager = PoolKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(sockets / "k"), connection_file=str(sockets / "connection.json"),
                                    kernel_spec_manager=ForkSpecs(template=address))
        kernel = Kernel(manager, folder, sockets)
        try:
            run_sync(manager.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=str(folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except BaseException:
            kernel.discard()
            raise
        forked = getattr(manager.provisioner, "forked", None)
        kernel.template = forked.template if forked is not None else None
        if address is not None and forked is None:
            kernel.discard()
            raise RuntimeError("the kernel template did not fork the kernel")  # never silently a plain subprocess
        return kernel

    def _socket_root(self) -> str | None:
        """The pool's root, unless its path is too long for a socket's name."""
        root = str(self.root) if self.root is not None else tempfile.gettempdir()
        return root if len(root.encode()) <= SOCKET_ROOT_MAX else socket_root()

    def take(self, prepare_next: bool = False) -> Kernel:
        """The kernel for the next notebook (the one prepared ahead when it is alive); with ``prepare_next``, the
        one after it starts now."""
        kernel, self.spare = self.spare, None
        if kernel is None or not kernel.alive():
            if kernel is not None:
                kernel.discard()
            kernel = self.start()
        self.current = kernel
        if prepare_next:
            self.spare = self.start()
        return kernel

    @contextmanager
    def kernel(self, prepare_next: bool = False) -> Iterator[Kernel]:
        """A kernel for one notebook; stopped and its folders removed afterwards."""
        kernel = self.take(prepare_next)
        try:
            yield kernel
        finally:
            kernel.discard()
            if self.current is kernel:
                self.current = None

    def close(self) -> None:
        """Stop its kernels and its own template; remove their folders."""
        for kernel in (self.current, self.spare):
            if kernel is not None:
                kernel.discard()
        self.current = self.spare = None
        if self.own is not None:
            self.own.stop()
            shutil.rmtree(self.own.folder, ignore_errors=True)
            self.own = None

    def kill_now(self) -> None:
        """On a signal: kill without waiting (the handler may have interrupted the code that holds their locks)."""
        for kernel in (self.current, self.spare):
            if kernel is not None:
                kernel.kill_now()
        if self.own is not None:
            self.own.process.kill()
            shutil.rmtree(self.own.folder, ignore_errors=True)
