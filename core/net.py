"""Network helpers of the processes that listen (the chat, the worker)."""

from __future__ import annotations

import socket

__all__ = ["port_free"]


def port_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be bound now (checked before a server starts, so that a taken
    port is one clear line instead of a server's traceback)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True
