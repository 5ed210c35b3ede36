"""Generate and keep a month's bulletin: `python -m dashboard.bulletin [--month YYYY-MM]`.

    --month YYYY-MM        the month (default: the last month that has ended)
    --database-url URL     the database (default: CC_DATABASE_URL)
    --by NAME              who generated it (default: cli:<os user>)
    --pdf FILE --xlsx FILE also write the printed forms of the kept model
    --lang zh|en           their language (default: zh, the bulletin's own)

The scoring rules are CC_ASSESSMENT's (else the master data's assessment.csv) and the
other settings come from the environment (common.config). Each run keeps one more
generation; the latest of a month is the bulletin GET /api/v1/reports/YYYY-MM serves.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from common import clock
from common.assessment import AssessmentError
from common.config import Settings, load_settings
from dashboard.bulletin_pdf import PdfError, bulletin_pdf
from dashboard.bulletin_xlsx import bulletin_xlsx
from data_access.bulletin import BulletinError, generate, last_ended_month
from data_access.db import get_engine
from data_access.schema import migrate


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m dashboard.bulletin", description=__doc__.split("\n")[0]
    )
    p.add_argument("--month")
    p.add_argument("--database-url")
    p.add_argument("--by")
    p.add_argument("--pdf", type=Path)
    p.add_argument("--xlsx", type=Path)
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    return p


def main(argv: list[str] | None = None, cfg: Settings | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        cfg = cfg or load_settings()
        if args.database_url:
            cfg = cfg.with_(database_url=args.database_url)
        migrate(cfg.database_url)  # a no-op at head; the table may be new
        engine = get_engine(cfg.database_url)
        at = clock.now()
        month = args.month or last_ended_month(clock.local_today(cfg.tz, at))
        started = time.perf_counter()
        model = generate(engine, cfg, month, args.by or f"cli:{getpass.getuser()}", at)
        took = time.perf_counter() - started
        print(f"bulletin {month} generated at {model['generated_at']} in {took:.2f} s")
        for path, render in ((args.pdf, bulletin_pdf), (args.xlsx, bulletin_xlsx)):
            if path:
                started = time.perf_counter()
                path.write_bytes(render(model, args.lang))
                print(f"wrote {path} in {time.perf_counter() - started:.2f} s")
    except (AssessmentError, BulletinError, PdfError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
