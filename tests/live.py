"""The app served by uvicorn in its own process, on its own copy of a database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from dialogue.core.settings import PROJECT_ROOT
from tests.conftest import checkpoint


def wait_for_port(process: subprocess.Popen, port: int, seconds: float, what: str) -> None:
    """Until the child process listens on the port; RuntimeError if it exits or the time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start listening within {seconds:g} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, database_url: str, **env: str) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "browser-test-secret-" + "y" * 40,
            "BASE_URL": self.url,
            "PORT": str(self.port),
            **env,
        }
        self.process: subprocess.Popen | None = None
        # The app with its clock started at the suite's pinned moment, as the demo was loaded for it.
        self.command = [sys.executable, "-m", "uvicorn", "tests.live_app:app", "--host", "127.0.0.1",
                        "--port", str(self.port), "--log-level", "warning"]

    def cli(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "dialogue", *args], cwd=PROJECT_ROOT, env=self.env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    async def load_demo(self) -> None:
        """The demo's questions, received in the days before the pinned date (what `demo load` adds)."""
        from tests.conftest import load_demo_into
        from tests.pinned import TODAY

        await load_demo_into(self.database_url, TODAY)

    def start(self) -> None:
        self.launch()
        self.wait_until_listening()

    def launch(self) -> None:
        """Start the process without waiting for it (several servers then start at the same moment)."""
        self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=self.env)

    def wait_until_listening(self) -> None:
        wait_for_port(self.process, self.port, 30, "the app")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()



@contextmanager
def serve_copy_of(template_url: str, folder: Path, **env: str) -> Iterator[LiveServer]:
    """Serve a copy of this SQLite template database until the block ends."""
    target = folder / "live.sqlite3"
    checkpoint(template_url)
    shutil.copyfile(urlsplit(template_url).path, target)
    server = LiveServer(f"sqlite:///{target}", **env)
    server.start()
    try:
        yield server
    finally:
        server.stop()
