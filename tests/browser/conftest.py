"""A real Chromium and a real `streamlit run` of the dashboards, for tests marked `browser`.

Chromium comes from Debian (`apt-get install chromium`), never from `playwright install`, which downloads a
browser and fails offline. A clean CI machine runs the tests as root and installs it here; only where it cannot
be installed and we are not in CI is the test skipped. The server runs against the session's published
warehouse, but with a data folder of its own, so a delivery in the browser lands in a landing zone that no
other test reads.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipelines.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = REPO_ROOT / "dashboards" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
# Flags verified with Streamlit and headless Chromium here (STACK_NOTES): no sandbox in a container, and none
# of Chromium's own background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SERVER_START_SECONDS = 60


def _install_chromium() -> str | None:
    """Install Chromium with apt; returns why it could not be installed, or None."""
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        return "apt-get is not available"
    if os.geteuid() != 0:
        return "installing Chromium with apt-get needs root"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt_get, "install", "-y", "--no-install-recommends", "chromium"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        # A fresh machine may not have package lists yet.
        subprocess.run([apt_get, "update"], env=env, capture_output=True)
        result = subprocess.run(install, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            return f"apt-get install chromium failed: {result.stderr[-2000:]}"
    return None if CHROMIUM.exists() else f"apt-get installed chromium, but {CHROMIUM} is missing"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Debian Chromium, installed if it is missing."""
    if not CHROMIUM.exists():
        problem = _install_chromium()
        if problem is not None:
            if os.environ.get("CI"):
                pytest.fail(f"Chromium is required in CI: {problem}")
            pytest.skip(f"no Chromium for browser tests: {problem}")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class DashboardServer:
    url: str
    settings: Settings  # what the server reads: the session's warehouse, its own data folder


@pytest.fixture(scope="module")
def dashboard_server(published_warehouse, tmp_path_factory) -> Iterator[DashboardServer]:
    """`streamlit run dashboards/app.py` on a free localhost port, ready once `/_stcore/health` answers."""
    data_dir = tmp_path_factory.mktemp("browser_data")
    env = {**os.environ, "KIM_DATA_DIR": str(data_dir)}
    port = _free_port()
    log_path = tmp_path_factory.mktemp("browser_log") / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
    ]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}", server, log_path)
        yield DashboardServer(
            url=f"http://127.0.0.1:{port}",
            settings=dataclasses.replace(published_warehouse, data_dir=data_dir),
        )
    finally:
        _stop(server)


def _wait_until_healthy(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200 and response.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(
        f"streamlit did not answer within {SERVER_START_SECONDS} s:\n{log_path.read_text(errors='replace')}"
    )


def _stop(server: subprocess.Popen) -> None:
    """Stop the server this fixture started (its own process group)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@dataclass
class BrowserSession:
    page: object  # playwright.sync_api.Page
    outside_requests: list[str]


@pytest.fixture
def browser(chromium) -> Iterator[BrowserSession]:
    """A headless Chromium page that records every request leaving localhost."""
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def record(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return
        if parts.hostname not in LOCAL_HOSTS:
            outside.append(url)

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = launched.new_context(accept_downloads=True, locale="de-DE")
            context.on("request", lambda request: record(request.url))
            page = context.new_page()
            page.on("websocket", lambda websocket: record(websocket.url))
            yield BrowserSession(page=page, outside_requests=outside)
        finally:
            launched.close()
