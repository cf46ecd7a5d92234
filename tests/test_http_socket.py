"""The listening socket `serve` binds: a taken port is one clear error; accepted connections skip Nagle."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bot.server import ServeError, bind_socket


async def test_connections_accepted_on_the_serve_socket_have_nagle_off() -> None:
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    nodelay: list[int] = []

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted = writer.get_extra_info("socket")
        nodelay.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_client, sock=sock)
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if nodelay:
                break
            await asyncio.sleep(0.01)
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    # asyncio sets TCP_NODELAY only on sockets created with IPPROTO_TCP; otherwise each small
    # webhook answer may wait for the platform's delayed ACK
    assert nodelay and nodelay[0] != 0


def test_a_taken_port_is_one_clear_error() -> None:
    first = bind_socket("127.0.0.1", 0)
    first.listen()  # another server is serving on that port
    try:
        with pytest.raises(ServeError, match="port already in use"):
            bind_socket("127.0.0.1", first.getsockname()[1])
    finally:
        first.close()
