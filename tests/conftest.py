"""Shared test helpers.

Tests that need the real release files read them from ``../shared`` (beside the
project root).  A user's clone has no ``../shared``: those tests skip, saying why.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SKIP_REASON = f"needs the real release files in {SHARED} (absent: this is not the project's CI layout)"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the calling test when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(SKIP_REASON)
    return p


@pytest.fixture
def corpus() -> Path:
    return shared_path("corpus")


@pytest.fixture
def seed_page() -> Path:
    return shared_path("seed", "05ALMATY2985-mirror-page.txt")


# Browser tests: Debian's chromium driven by Playwright (its own browser download does
# not work here); tests skip, saying why, where either is missing.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """A headless chromium for one module's tests (skips the caller when it cannot start)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@contextmanager
def live_site(db: Path) -> Iterator[str]:
    """The website over ``db`` served by uvicorn in a thread on a free loopback port: its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    from cablemirror.web.app import create_app
    from cablemirror.web.site import SiteConfig

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(str(db), config=SiteConfig(name="cablemirror"))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
