"""A TCP proxy in front of PostgreSQL, in its own thread, that can be switched off and on (the
database going away: connections dropped, new ones refused; and coming back on the same address)
or frozen (the database hanging: nothing dropped, nothing answered)."""

from __future__ import annotations

import asyncio
import socket
import threading
from urllib.parse import urlsplit, urlunsplit


class SwitchableProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: asyncio.AbstractServer | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.frozen = threading.Event()
        self.database_url = ""

    @classmethod
    def in_front_of(cls, database_url: str) -> SwitchableProxy:
        """A proxy for this database; `database_url` then goes through it."""
        parts = urlsplit(database_url)
        proxy = cls(parts.port or 5432)
        proxy.database_url = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
        return proxy

    def freeze(self) -> None:
        self.frozen.set()

    def thaw(self) -> None:
        self.frozen.clear()

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                while self.frozen.is_set():
                    await asyncio.sleep(0.05)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, upstream_writer}
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def _stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in self.writers:
            writer.close()
        self.writers.clear()

    def up(self) -> None:
        self._run(self._start())

    def down(self) -> None:
        self._run(self._stop())

    def close(self) -> None:
        self.thaw()
        self.down()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
