"""The real web server (uvicorn, `ui.server.build_server`) in a thread of the test process, so
tests share the session's embedding model and can look into the services afterwards; and the
services a module builds for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.wiring import Services
from tests.integration.cli import free_port


def services_with(data: Path, embedder, documents: list[Path],
                  collection: str = "allgemein") -> Services:
    """Services on `data` with the session's embedder, extractive answers, `documents`
    indexed into `collection` (for module-scoped fixtures: `make_services` is per test)."""
    from assistant.wiring import build_services
    from core.config import Settings

    services = build_services(Settings(data_dir=data), embedder=embedder, llm_backend=None)
    services.documents.ingest(documents, collection)
    return services


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
