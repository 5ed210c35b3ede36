"""The bulletin as PDF: its HTML page printed by headless Chromium (the Debian package the
browser tests already use), offline: the page has no external reference and every host
name resolves to nothing. Chromium lays out the Chinese text with the system's fonts
(fonts-wqy-zenhei) and embeds the subsets it uses; the page's CSS sets A4. Chromium runs
as a fixed program with our own arguments, never through a shell."""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404
import tempfile
from pathlib import Path

from dashboard.bulletin_html import bulletin_html

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
)


class PdfError(RuntimeError):
    """The PDF could not be printed (no Chromium, or it failed); the message says which."""


def chromium_path() -> str:
    """The first Chromium on PATH."""
    found = next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if not found:
        raise PdfError("no Chromium to print the PDF with: install the chromium package")
    return found


def html_to_pdf(html: str, timeout: float = 120.0) -> bytes:
    with tempfile.TemporaryDirectory(prefix="cc-bulletin-") as tmp:
        folder = Path(tmp)
        source, target = folder / "bulletin.html", folder / "bulletin.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            chromium_path(),
            *FLAGS,
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        env = {"HOME": tmp, "TMPDIR": tmp, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        try:
            done = subprocess.run(  # nosec B603
                command, env=env, timeout=timeout, capture_output=True, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"Chromium took over {timeout:.0f} s to print the PDF") from exc
        if not target.is_file() or target.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace")[-500:]
            raise PdfError(f"Chromium printed no PDF (exit {done.returncode}): {tail}")
        return target.read_bytes()


def bulletin_pdf(model: dict, lang: str) -> bytes:
    return html_to_pdf(bulletin_html(model, lang))
