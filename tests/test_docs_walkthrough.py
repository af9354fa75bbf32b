"""docs/api.md's walkthrough, run as written against a freshly started `podium demo`."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures.databases import create_database, drop_database
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


def walkthrough_script() -> str:
    text = (ROOT / "docs" / "api.md").read_text()
    section = text.split("## Walkthrough against the demo", 1)[1]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 8
    return "set -euo pipefail\n" + "\n".join(blocks)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_api_walkthrough_runs_against_the_demo(server_url: str, tmp_path: Path) -> None:
    database = create_database(server_url, prefix="podium_walk")
    broker = create_database(server_url, prefix="podium_walk_broker")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.update(
        TICKETING_DATABASE_URL=database,
        TICKETING_CELERY__BROKER_DATABASE=make_url(broker).database or "",
        TICKETING_DATA_DIR=str(tmp_path / "data"),
    )
    log = (tmp_path / "demo.log").open("w+")
    demo = subprocess.Popen(
        [sys.executable, "-m", "ticketing.cli", "demo", "--port", str(port), "--api-workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while "Ctrl-C stops everything" not in (tmp_path / "demo.log").read_text():
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            assert time.monotonic() < deadline, "the demo did not start"
            time.sleep(0.5)
        work = tmp_path / "work"
        work.mkdir()
        result = subprocess.run(
            ["bash", "-c", walkthrough_script()],
            cwd=work,
            env={"PATH": os.environ["PATH"], "BASE": f"http://127.0.0.1:{port}"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
        log.close()
        drop_database(database)
        drop_database(broker)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    lines = out.splitlines()
    assert "600" in lines
    assert "2" in lines
    assert "HTTP 422" in out
    assert "appears twice" in out
    assert "on_sale" in lines
    assert "published" in lines
    assert '"amount_cents":2250' in out
    assert "HTTP 204" in out
    assert "HTTP 401" in out
    assert (work / "hall.svg").read_text().startswith("<svg")
