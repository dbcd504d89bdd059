"""Benchmark helpers: database names from flags, and a statement counter for a PostgreSQL source.

The counter is a TCP proxy in front of the server that reads the client's side of the wire
protocol and counts the statements it sends (``Query`` messages of the simple protocol,
``Execute`` messages of the extended one). It counts what any client sends — our harvester
and DataHub's alike — without server-side logging (``log_statement`` needs the server's log
files, ``pg_stat_statements`` a preloaded extension; the shared server has neither). Point the
tool at ``counter.host:counter.port`` with ``sslmode=disable`` (an encrypted stream cannot be read).
"""

import argparse
import asyncio
import contextlib
import os
import socket
import struct
import threading
import time
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432"
SSL_REQUEST = 80877103
GSS_REQUEST = 80877104


def add_database_flags(parser: argparse.ArgumentParser, default_database: str) -> None:
    """``--server`` (URL without a database) and ``--database`` (name), the same in every script."""
    parser.add_argument(
        "--server",
        default=os.environ.get("MESH_BENCH_SERVER", DEFAULT_SERVER),
        help="PostgreSQL server URL without a database (default: $MESH_BENCH_SERVER or %(default)s).",
    )
    parser.add_argument(
        "--database",
        default=default_database,
        help="Name of the catalog database this script (re)creates on --server (default: %(default)s).",
    )


def database_url(server: str, database: str) -> str:
    return f"{server.rstrip('/')}/{database}"


class StatementCounter:
    """A counting proxy to ``server`` on a free local port, run in a daemon thread.

    ``statements`` is the total since the last ``reset()``; ``connections`` the sessions opened.
    """

    def __init__(self, server: str):
        url = urlsplit(server)
        self.upstream = (url.hostname or "127.0.0.1", url.port or 5432)
        self._server_url = url
        self.host = "127.0.0.1"
        with socket.socket() as s:
            s.bind((self.host, 0))
            self.port = s.getsockname()[1]
        self.statements = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="pg-statement-counter", daemon=True)

    def __enter__(self):
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def reset(self) -> None:
        with self._lock:
            self.statements = self.connections = 0

    def url(self, database: str) -> str:
        """A URL to ``database`` through the counter (same user as the server URL)."""
        netloc = f"{self._server_url.username}@" if self._server_url.username else ""
        return urlunsplit(("postgresql", f"{netloc}{self.host}:{self.port}", f"/{database}", "sslmode=disable", ""))

    def _run(self):
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._session, self.host, self.port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _session(self, client_reader, client_writer):
        with self._lock:
            self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        back = asyncio.ensure_future(self._pipe(server_reader, client_writer))
        try:
            await self._client_to_server(client_reader, server_writer)
        finally:
            server_writer.close()
            await back

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _client_to_server(self, reader, writer):
        """Forward the client's messages, counting Query ('Q') and Execute ('E')."""
        try:
            # Untyped start-up packets (SSL/GSS requests, then the startup message).
            while True:
                head = await reader.readexactly(8)
                length, code = struct.unpack("!ii", head)
                body = await reader.readexactly(length - 8)
                writer.write(head + body)
                await writer.drain()
                if code not in (SSL_REQUEST, GSS_REQUEST):
                    break
            while True:
                head = await reader.readexactly(5)
                kind, length = head[:1], struct.unpack("!i", head[1:])[0]
                body = await reader.readexactly(length - 4)
                if kind in (b"Q", b"E"):
                    with self._lock:
                        self.statements += 1
                writer.write(head + body)
                await writer.drain()
                if kind == b"X":
                    return
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            return


class StatementTimer:
    """The slowest statements a Django process sends to its catalog, timed on the client.

    The wall of each ``execute`` (Django's ``execute_wrapper``) is the server's work plus one
    round trip: enough to tell which statement a server-bound phase waits on, where the server
    keeps no statement log. COMMIT is timed too (it runs deferred checks and after-commit work).
    """

    def __init__(self) -> None:
        self.timings: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timings.append((time.perf_counter() - start, sql))

    @contextlib.contextmanager
    def watching(self, enabled: bool = True):
        if not enabled:
            yield self
            return
        from django.db import connection

        with connection.execute_wrapper(self):
            yield self

    def print_slowest(self, count: int) -> None:
        if not count or not self.timings:
            return
        total = sum(t for t, _ in self.timings)
        print(f"  {len(self.timings)} catalog statements, {total:.2f} s; the {count} slowest:")
        for seconds, sql in sorted(self.timings, key=lambda item: -item[0])[:count]:
            print(f"    {seconds * 1000:8.1f} ms  {' '.join(sql.split())[:150]}")
