"""Start gunicorn on 127.0.0.1, wait until it answers, read its workers' memory from /proc, stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
WORKER_CLASSES = {
    "sync": ["--worker-class", "sync", "--workers", "2"],
    "gthread": ["--worker-class", "gthread", "--workers", "2", "--threads", "4"],
}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Gunicorn:
    """One gunicorn master serving `app` (a WSGI path) with a worker class from WORKER_CLASSES."""

    app: str
    worker_class: str
    env: dict
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    peak_kib: dict[int, int] = field(default_factory=dict)  # worker pid -> highest VmHWM seen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, probe: str = "/", timeout: float = 60) -> None:
        """Start the master and wait until `probe` answers (any status) through both workers' start-up."""
        command = [GUNICORN, *WORKER_CLASSES[self.worker_class], "--bind", f"127.0.0.1:{self.port}",
                   "--chdir", str(ROOT), "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning",
                   "--error-logfile", "-", self.app]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **self.env}, stdout=log,  # noqa: S603
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                urllib.request.urlopen(self.url + probe, timeout=5).close()  # noqa: S310 (our 127.0.0.1 server)
            except urllib.error.HTTPError:
                pass  # it answered
            except OSError:
                time.sleep(0.2)
                continue
            if len(self.workers()) == 2:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on {self.url} within {timeout} s; see {self.log_path}")

    def workers(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def sample_memory(self) -> int:
        """Record each worker's peak resident memory (VmHWM); return the highest, in KiB."""
        for pid in self.workers():
            self.peak_kib[pid] = max(self.peak_kib.get(pid, 0), _status_kib(pid, "VmHWM"))
        return max(self.peak_kib.values(), default=0)

    def master_kib(self) -> int:
        return _status_kib(self.process.pid, "VmHWM") if self.process else 0

    def stop(self) -> None:
        """Stop the master (SIGTERM, then SIGKILL to its process group after 15 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
