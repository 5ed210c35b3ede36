"""First load: scripts are served compressed and cached for a year by their versioned URL;
the live stream is never compressed (a compressor would hold its messages back)."""

from __future__ import annotations

import gzip
import re

import pytest

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

YEAR = "max-age=31536000"


def _script(client, pattern: str) -> str:
    page = client.get("/?lang=zh").get_data(as_text=True)
    return re.search(rf'src="([^"]*{pattern}[^"]*)"', page).group(1)


def test_a_fingerprinted_script_is_gzipped_and_cached_for_a_year(signed_in_client):
    client = signed_in_client("leader")
    url = _script(client, r"dash_renderer\.v[^\"]*\.js")
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.headers.get("Content-Encoding") is None

    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert YEAR in zipped.headers["Cache-Control"]
    body = zipped.get_data()
    assert len(body) < len(plain.get_data()) / 2
    assert gzip.decompress(body) == plain.get_data()
    again = client.get(url, headers={"Accept-Encoding": "gzip"})  # from the worker's cache
    assert again.get_data() == body


def test_a_stamped_asset_is_cached_for_a_year_and_an_unstamped_one_is_revalidated(
    signed_in_client,
):
    client = signed_in_client("leader")
    url = _script(client, r"/assets/live\.js\?m=")
    assert YEAR in client.get(url).headers["Cache-Control"]
    assert YEAR not in client.get("/assets/live.js").headers.get("Cache-Control", "")


def test_a_signed_in_callers_scripts_stay_cached_from_page_to_page(signed_in_client):
    """A script's answer neither varies on the cookie nor renews it: a renewed cookie has a
    new value each time, so with `Vary: Cookie` the next page found nothing in its cache.
    A page's answer still renews the session (its idle timer)."""
    client = signed_in_client("leader")
    page = client.get("/?lang=zh")
    assert "Cookie" in page.headers["Vary"] and "cc_session=" in page.headers["Set-Cookie"]
    for pattern in (r"dash_renderer\.v[^\"]*\.js", r"/assets/live\.js\?m="):
        script = client.get(_script(client, pattern), headers={"Accept-Encoding": "gzip"})
        assert script.status_code == 200 and YEAR in script.headers["Cache-Control"]
        assert "Cookie" not in script.headers["Vary"] and "Set-Cookie" not in script.headers


def test_a_page_is_compressed_but_never_cached(signed_in_client):
    page = signed_in_client("leader").get("/?lang=zh", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert page.headers["Cache-Control"] == "no-store"


def test_the_live_stream_is_not_compressed(signed_in_client):
    client = signed_in_client("leader")
    response = client.get("/live/stream", headers={"Accept-Encoding": "gzip, br, zstd"})
    try:
        assert response.mimetype == "text/event-stream"
        assert "Content-Encoding" not in response.headers
        assert next(response.response).startswith(b"retry:")  # the first bytes, unbuffered
    finally:
        response.close()
