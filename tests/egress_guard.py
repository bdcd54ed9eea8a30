"""Run a command with every outbound connection recorded: `python tests/egress_guard.py LOG
-m cli ARGS...` (or `-c CODE`).

A Python audit hook (PEP 578) sees each `socket.connect`, `socket.sendto` and
`socket.getaddrinfo` of the process, in every library. Destinations other than loopback are
appended to LOG, one JSON object per line; an empty LOG after a run proves nothing left the
machine from this process. Unix sockets are local and not recorded.
"""

from __future__ import annotations

import ipaddress
import json
import runpy
import sys

_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "", None}


def is_local(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return str(host).endswith(".localhost")
    return address.is_loopback or address.is_unspecified


def install(log_path: str) -> None:
    def hook(event: str, args: tuple) -> None:
        if event in ("socket.connect", "socket.sendto"):
            address = args[1]
            host = address[0] if isinstance(address, tuple) else None
        elif event == "socket.getaddrinfo":
            host = args[0]
        else:
            return
        if host is not None and not is_local(host):
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps({"event": event, "host": str(host),
                                      "argv": sys.argv[1:4]}) + "\n")

    sys.addaudithook(hook)


def main() -> None:
    log_path, mode, target, *rest = sys.argv[1:]
    install(log_path)
    if mode == "-c":
        sys.argv = ["-c", *rest]
        exec(compile(target, "<egress-guard>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = [target, *rest]
        runpy.run_module(target, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
