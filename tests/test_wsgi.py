"""gunicorn, as the Procfile starts it, serves a page's scripts from its very first
requests on: after a deploy every wall reloads at once, onto fresh workers."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from common.config import PROJECT_ROOT
from tests.servers import free_port, stop_process_group, web_process

SCRIPT = "/_dash-component-suites/dash/deps/react@18.3.1.min.js"
AT_ONCE = 64
STARTS = 3  # the race is timing-bound: each fresh start is one more chance to lose it


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - localhost
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_concurrent_first_requests_all_get_their_scripts(settings, tmp_path):
    for _ in range(STARTS):
        port = free_port()
        web = web_process(settings, port, tmp_path / "web.log", warm=False)
        try:
            with ThreadPoolExecutor(AT_ONCE) as pool:
                url = f"http://127.0.0.1:{port}{SCRIPT}"
                statuses = list(pool.map(_status, [url] * AT_ONCE))
        finally:
            stop_process_group(web)
        assert statuses == [200] * AT_ONCE


COLD_WORKER = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
import dashboard.wsgi as wsgi
from dashboard.ids.leader import VIEW

loaded = sorted(name for name in ("numpy", "pandas", "plotly.io.json") if name in sys.modules)
first = wsgi.server.test_client()
first.environ_base["HTTP_ORIGIN"] = "http://localhost"
first.post("/auth/login", data={"username": sys.argv[1], "password": sys.argv[2]})
cookie = first.get_cookie("cc_session").value
leader = [d for d in first.get("/_dash-dependencies").get_json()
          if d["inputs"] == [{"id": VIEW, "property": "data"}]]

def body(dep):
    parts = [p.rsplit(".", 1) for p in dep["output"].strip(".").split("...")]
    outputs = [{"id": i, "property": p} for i, p in parts]
    return {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{"id": VIEW, "property": "data", "value": "?period=30d"}],
            "changedPropIds": [VIEW + ".data"], "state": []}

def post(dep):
    client = wsgi.server.test_client()
    client.set_cookie("cc_session", cookie)
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    answer = client.post("/_dash-update-component", json=body(dep))
    return dep["output"], answer.status_code

with ThreadPoolExecutor(len(leader) * 4) as pool:
    answers = list(pool.map(post, leader * 4))
print(json.dumps({"loaded": loaded, "answers": answers}))
"""


def test_a_cold_worker_answers_the_leader_pages_first_callbacks_in_parallel(settings, tmp_path):
    """What callbacks import lazily (numpy, under plotly's validators) is imported before
    the WSGI app serves: two threads of a cold worker importing numpy at once made one
    fail ("partially initialized module 'numpy'": the leader page's channel chart)."""
    from common import clock
    from data_access.db import make_engine
    from data_access.schema import migrate
    from data_access.users import create_user
    from tests.conftest import TEST_PASSWORD
    from tests.servers import process_env
    from tests.small_county import seed_small_county

    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    seed_small_county(engine, clock.now(), incidents=200, disputes=20)
    create_user(engine, "leader-1", TEST_PASSWORD, "leader")
    engine.dispose()
    run = subprocess.run(  # noqa: S603 - our own code in a fresh interpreter: a cold worker
        [sys.executable, "-c", COLD_WORKER, "leader-1", TEST_PASSWORD],
        env=process_env(settings), cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.splitlines()[-1])
    expected = [m for m in ("numpy", "pandas") if importlib.util.find_spec(m)]
    assert set(expected) | {"plotly.io.json"} <= set(found["loaded"])
    assert len(found["answers"]) >= 4 * 4  # tiles, daily, mix and more, four times each
    assert {status for _, status in found["answers"]} == {200}, found["answers"]
    assert "partially initialized" not in run.stderr
