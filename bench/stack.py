"""A running product for benchmarks: gunicorn (the Procfile's web line) and ingest
processes on a given database and Redis prefix, plus a kiosk-paired browser for /wall.

Bench code only: traffic goes to 127.0.0.1, every loop is bounded, and the processes
stop when the context manager exits. It starts processes the way the tests do
(tests/servers.py), so both exercise what the Procfile runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from common.config import Settings
from tests.conftest import CHROMIUM_ARGS
from tests.servers import free_port, ingest_process, stop_process_group, web_process


@contextlib.contextmanager
def running_stack(
    database_url: str, redis_url: str, prefix: str, data_dir: Path, ingests: int = 1
) -> Iterator[dict]:
    """Start web and `ingests` ingest processes; yield {"base": url, "web": process}."""
    settings = Settings(
        database_url=database_url, redis_url=redis_url, stream_prefix=prefix,
        secret_key="bench-secret", data_dir=data_dir,
    )  # fmt: skip
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    ingesters = [ingest_process(settings, logs / f"ingest-{n}.log") for n in range(ingests)]
    web = None
    try:
        web = web_process(settings, port, logs / "web.log")
        yield {"base": f"http://127.0.0.1:{port}", "web": web, "logs": logs}
    finally:
        if web is not None:
            stop_process_group(web)
        for proc in ingesters:
            proc.terminate()
            proc.wait(30)


def kiosk_code(database_url: str, name: str = "bench-wall") -> str:
    from data_access.db import make_engine
    from data_access.users import create_kiosk

    engine = make_engine(database_url)
    _, code = create_kiosk(engine, name, "bench", timedelta(hours=1))
    engine.dispose()
    return code


def open_wall(
    playwright,
    base: str,
    code: str,
    lang: str = "en",
    size=(1920, 1080),
    args=(),
    init_script: str | None = None,
    env: dict | None = None,
):
    """A headless Chromium page showing /wall through a freshly paired kiosk; `args` are
    added to Chromium's command line, `init_script` runs before the page's own scripts."""
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium", args=[*CHROMIUM_ARGS, *args], env=env
    )
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    if init_script:
        page.add_init_script(init_script)
    page.request.post(  # the pairing form's POST (its GET only shows the form)
        f"{base}/kiosk/pair", form={"code": code}, headers={"Origin": base}, max_redirects=0
    )
    page.goto(f"{base}/wall?lang={lang}")
    page.wait_for_selector(".wall-county", timeout=60_000)
    return browser, page
