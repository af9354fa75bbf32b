"""localstripe, the Stripe test server, for the demo and the tests: started on loopback,
with its signed webhooks sent where the platform listens. Never used with real Stripe."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# localstripe's own command listens on every interface, reloads what an earlier run left
# in /tmp and writes it all there again after every change; this serves its app on
# loopback only, in memory.
_SERVE = (
    "import sys; from aiohttp import web; from localstripe.server import app; "
    "from localstripe.resources import Store; Store.dump_to_disk = lambda self: None; "
    "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None, access_log=None)"
)


def start_localstripe(timeout: float = 30) -> tuple[subprocess.Popen[bytes], str]:
    """The server process and its address, once it accepts connections."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, argv built here
        [sys.executable, "-c", _SERVE, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("localstripe (the Stripe test server) did not start") from None
            time.sleep(0.1)


def send_webhooks(api_base: str, name: str, url: str, secret: str) -> None:
    """Have localstripe sign its events with `secret` and post them to `url`, as Stripe
    does for a webhook endpoint."""
    body = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    request = urllib.request.Request(f"{api_base}/_config/webhooks/{name}", data=body)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        if response.status != 200:
            raise RuntimeError(f"localstripe refused the webhook endpoint: {response.status}")
