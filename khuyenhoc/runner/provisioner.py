"""jupyter_client's seams for forked kernels: a provisioner registered under the ``jupyter_client.kernel_provisioners``
entry point ``khuyenhoc-fork`` (pyproject.toml) and the kernel spec that selects it.

A kernel spec names its provisioner in ``metadata.kernel_provisioner`` (jupyter_client's provisioner factory reads
it); :class:`ForkSpecs` gives the ``python3`` spec that stanza, with the template's address as the provisioner's
configuration. :class:`ForkProvisioner` keeps everything of :class:`LocalProvisioner` (connection file, ports,
cleanup) but launches by asking the template for a fork and follows the forked process by its pid: jupyter_client
and nbclient poll, signal, kill and wait on it through the provisioner's own methods.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

from khuyenhoc.runner.template import Forked, alive, request_fork

PROVISIONER = "khuyenhoc-fork"  # the entry point's name (pyproject.toml)
LAUNCHER = "ipykernel_launcher"
UNKNOWN_EXIT = -1  # the template reaps its kernels: their exit code is not ours to read
REAP_POLL = 0.005  # a killed fork is gone in milliseconds; jupyter_client would look every tenth of a second


class ForkProvisioner(LocalProvisioner):
    """A LocalProvisioner whose ipykernel kernels are forks of the template at :attr:`template`."""

    template = Unicode(None, allow_none=True, config=True, help="The Unix socket of the kernel template to fork from.")
    forked: Forked | None = None

    @property
    def has_process(self) -> bool:
        return self.forked is not None or super().has_process

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        """Fork the kernel from the template (an OSError when it does not answer); a command that is not ipykernel's
        is launched as LocalProvisioner does."""
        if not self.template or LAUNCHER not in cmd:
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ, JPY_PARENT_PID=str(os.getpid()))  # as jupyter_client's launcher says it
        self.forked = request_fork(self.template, cmd[cmd.index(LAUNCHER) + 1:], cwd, env)
        self.pid = self.pgid = self.forked.pid  # its own session (setsid): signals reach its group
        self.cwd = cwd
        return self.connection_info

    async def poll(self) -> int | None:
        if self.forked is None:
            return await super().poll()
        return None if alive(self.forked.pid) else UNKNOWN_EXIT

    async def wait(self) -> int | None:
        if self.forked is None:
            return await super().wait()
        while await self.poll() is None:
            await asyncio.sleep(REAP_POLL)
        self.forked = None
        return UNKNOWN_EXIT

    async def send_signal(self, signum: int) -> None:
        if self.forked is None:
            return await super().send_signal(signum)
        try:
            os.killpg(self.forked.pid, signum)
        except ProcessLookupError:
            pass  # already gone

    async def kill(self, restart: bool = False) -> None:
        if self.forked is None:
            return await super().kill(restart)
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        if self.forked is None:
            return await super().terminate(restart)
        await self.send_signal(signal.SIGTERM)


class ForkSpecs(KernelSpecManager):
    """Kernel specs whose kernels are forked from :attr:`template` (the plain specs when it is None)."""

    template = Unicode(None, allow_none=True, help="The Unix socket of the kernel template to fork from.")

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec = super().get_kernel_spec(kernel_name)
        if self.template:
            stanza = {"provisioner_name": PROVISIONER, "config": {"template": self.template}}
            spec = KernelSpec(**dict(spec.to_dict(), metadata=dict(spec.metadata, kernel_provisioner=stanza)), resource_dir=spec.resource_dir)
        return spec


class PoolKernelManager(AsyncKernelManager):
    """An async kernel manager that remembers the clients it made, so the one who stops the kernel stops their
    channels too: nbclient leaves running the channels of a kernel it did not start (a heartbeat thread, a zmq
    context and a dozen file descriptors per notebook otherwise)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clients: list = []

    def client(self, **kwargs: Any):
        made = super().client(**kwargs)
        self.clients.append(made)
        return made

    def stop_clients(self) -> None:
        for made in self.clients:
            made.stop_channels()  # joins their threads, destroys their zmq context
        self.clients.clear()
