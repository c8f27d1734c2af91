"""The QR benchmark's own HTTP/1.1 client: keep-alive connections for its requests, and merchants' event streams
read as a POS reads them."""

from __future__ import annotations

import asyncio
import json
import time


class Connections:
    """Keep-alive HTTP/1.1 connections of the bench's own: httpx spends more CPU per request than the server
    does, and client and server share the machine's cores."""

    def __init__(self, host: str, port: int, size_max: int) -> None:
        self.host, self.port = host, port
        self.slots = asyncio.Semaphore(size_max)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def request(self, method: str, path: str, body: bytes, token: str) -> tuple[int, bytes]:
        message = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        async with self.slots:
            while self.idle:
                conn = self.idle.pop()
                try:  # the server closes connections idle too long: then the request never reached it
                    return await self._exchange(conn, message)
                except (OSError, asyncio.IncompleteReadError):
                    conn[1].close()
            return await self._exchange(await asyncio.open_connection(self.host, self.port), message)

    async def _exchange(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                        message: bytes) -> tuple[int, bytes]:
        reader, writer = conn
        writer.write(message)
        head = (await reader.readuntil(b"\r\n\r\n")).lower()
        at = head.index(b"content-length:") + 15
        answer = await reader.readexactly(int(head[at:head.index(b"\r\n", at)]))
        self.idle.append(conn)
        return int(head[9:12]), answer

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def listen(host: str, port: int, token: str, merchant_id: str, heard_s: dict[str, float],
                 ready: asyncio.Event) -> None:
    """One merchant's event stream, read as the POS would (chunked transfer, server-sent event lines): when each
    ``payment.completed`` arrived, by payment id, into ``heard_s``; ``ready`` once the stream is answered."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /v1/qr/merchants/{merchant_id}/events HTTP/1.1\r\nHost: {host}\r\n"
                 f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode())
    while await reader.readline() != b"\r\n":
        continue
    kind = b""
    try:
        while size := int((await reader.readline()).strip() or b"0", 16):
            chunk = await reader.readexactly(size + 2)
            now = time.perf_counter()
            for line in chunk.split(b"\n"):
                if line.startswith(b"retry:"):
                    ready.set()
                elif line.startswith(b"event: "):
                    kind = line[7:]
                elif line.startswith(b"data: ") and kind == b"payment.completed":
                    heard_s[json.loads(line[6:])["data"]["payment_id"]] = now
    finally:
        writer.close()
