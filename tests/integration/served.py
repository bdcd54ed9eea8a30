"""The real web server (uvicorn, `ui.server.build_server`) in a thread of the test process, so
tests share the session's embedding model and can look into the services afterwards."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.wiring import Services
from tests.integration.cli import free_port


@contextmanager
def served(services: Services) -> Iterator[str]:
    """`http://127.0.0.1:PORT` while the block runs."""
    import uvicorn

    from ui.server import build_server

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(build_server(services), host="127.0.0.1", port=port,
                                           log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        if thread.is_alive():  # a test client's open stream would hold the graceful shutdown
            server.force_exit = True
            thread.join(timeout=30)
