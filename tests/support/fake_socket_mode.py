"""A local fake of Slack's Socket Mode endpoint: one WebSocket peer that sends envelopes and reads acks.

    with FakeSlackApi() as slack, FakeSocketMode() as socket_mode:
        slack.answer_with("apps.connections.open", {"ok": True, "url": socket_mode.url})
        ... connect a SocketModeHandler whose web client points at slack.url ...
        envelope_id = socket_mode.send("slash_commands", {...the slash command's fields...})
        ack = socket_mode.ack(envelope_id)      # {"envelope_id": ..., "payload": {...}}

Plain ws:// on 127.0.0.1 (slack_sdk's built-in client allows non-TLS on ports other than 443).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import socket
import struct
import threading
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class FakeSocketMode:
    """Accepts one Socket Mode connection at a time, says hello, sends envelopes, collects the acks."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._ids = itertools.count(1)
        self._connection: socket.socket | None = None
        self._connected = threading.Event()
        self._changed = threading.Condition()
        self.acks: dict[str, dict[str, Any]] = {}
        self.closed_by_client = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-socket-mode", daemon=True)

    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._listener.close()
        if self._connection is not None:
            self._connection.close()

    @property
    def url(self) -> str:
        """The wss-like URL apps.connections.open hands out."""
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=fake"

    def send(self, envelope_type: str, payload: dict[str, Any], timeout: float = 10.0) -> str:
        """Send an envelope once a client is connected; return its envelope id."""
        if not self._connected.wait(timeout):
            raise AssertionError("no Socket Mode client connected")
        envelope_id = f"envelope-{next(self._ids)}"
        message = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
        }
        self._write(TEXT, json.dumps(message).encode())
        return envelope_id

    def ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The client's acknowledgement of an envelope."""
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"no ack for {envelope_id}")
            return self.acks[envelope_id]

    def _serve(self) -> None:
        try:
            connection, _ = self._listener.accept()
        except OSError:
            return
        self._connection = connection
        request = b""
        while b"\r\n\r\n" not in request:
            request += connection.recv(4096)
        key = next(
            line.split(":", 1)[1].strip()
            for line in request.decode().split("\r\n")
            if line.lower().startswith("sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        connection.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        self._write(
            TEXT,
            json.dumps(
                {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0CUTOVER"}}
            ).encode(),
        )
        self._connected.set()
        self._read_frames(connection)

    def _read_frames(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        try:
            while True:
                head = reader.read(2)
                if len(head) < 2:
                    return
                opcode, length = head[0] & 0x0F, head[1] & 0x7F
                if length == 126:
                    length = struct.unpack("!H", reader.read(2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", reader.read(8))[0]
                mask = reader.read(4) if head[1] & 0x80 else b"\0\0\0\0"
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(reader.read(length)))
                if opcode == PING:
                    self._write(PONG, data)
                elif opcode == CLOSE:  # answer the closing handshake, as a WebSocket server does
                    self.closed_by_client.set()
                    self._write(CLOSE, data[:2])
                    return
                elif opcode == TEXT:
                    message = json.loads(data)
                    with self._changed:
                        self.acks[message["envelope_id"]] = message
                        self._changed.notify_all()
        except (OSError, ValueError):
            return

    def _write(self, opcode: int, data: bytes) -> None:
        assert self._connection is not None
        length = len(data)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 2**16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        self._connection.sendall(header + data)
