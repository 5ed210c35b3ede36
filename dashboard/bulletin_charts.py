"""The bulletin's charts as inline SVG: drawn from the model's numbers, no script, no
network, the same in every print (Chromium prints SVG as vectors, text in the page's
embedded font)."""

from __future__ import annotations

from html import escape

from dashboard.bulletin_labels import metric_label, percent, unit_name
from dashboard.i18n import t

WIDTH = 680
COLOURS = ("#1f6fb2", "#e07b28", "#3b9a57", "#b83b5e", "#7d5ba6", "#8c6d31")
FONT = 'font-size="10" fill="#333"'


def _svg(height: int, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}">' + "".join(body) + "</svg>"
    )


def _legend(items: list[tuple[str, str]], y: int, x: int = 60) -> list[str]:
    out = []
    for label, colour in items:
        out.append(f'<rect x="{x}" y="{y - 8}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{y + 1}" {FONT}>{escape(label)}</text>')
        x += 24 + 11 * len(label)
    return out


def daily_chart(daily: list[dict], lang: str) -> str:
    """Received (bars) and closed (narrower bars in front) for each day of the month."""
    height, left, top, bottom = 230, 50, 24, 200
    peak = max((d["received"] for d in daily), default=0) or 1
    step = (WIDTH - left - 10) / max(len(daily), 1)
    body = _legend(
        [
            (t("bulletin.col.received", lang), COLOURS[0]),
            (t("bulletin.col.closed", lang), COLOURS[1]),
        ],
        12,
    )
    for tick in sorted({0, round(peak / 2), peak}):
        y = bottom - (bottom - top) * tick / peak
        body.append(
            f'<line x1="{left}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        body.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" {FONT}>{tick:.0f}</text>'
        )
    for i, day in enumerate(daily):
        x = left + i * step
        for key, colour, inset in (("received", COLOURS[0], 0.1), ("closed", COLOURS[1], 0.3)):
            h = (bottom - top) * day[key] / peak
            body.append(
                f'<rect x="{x + step * inset:.1f}" y="{bottom - h:.1f}" '
                f'width="{step * (1 - 2 * inset):.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{bottom + 12}" text-anchor="middle" {FONT}>'
            f"{int(day['day'][8:])}</text>"
        )
    return _svg(height, body)


def channel_chart(channels: list[dict], lang: str) -> str:
    """Each channel's received, largest first, with its share."""
    rows = sorted(channels, key=lambda c: -c["received"])
    total = sum(c["received"] for c in rows) or 1
    left, row_h = 150, 22
    height = 10 + row_h * len(rows)
    span = WIDTH - left - 110
    body = []
    for i, channel in enumerate(rows):
        y = 6 + i * row_h
        w = span * channel["received"] / (rows[0]["received"] or 1)
        body.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" {FONT}>'
            f"{escape(unit_name(channel, lang))}</text>"
        )
        body.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="16" fill="{COLOURS[0]}"/>')
        label = f"{channel['received']} ({percent(channel['received'] / total, lang)})"
        body.append(f'<text x="{left + w + 6:.1f}" y="{y + 13}" {FONT}>{label}</text>')
    return _svg(height, body)


def axis_start(values: list[float | None]) -> int:
    """The rates axis starts at the lowest rate's ten, in percent (0 when none is known):
    rates bunched at 85-100 % are told apart, and no dot falls off the axis."""
    known = [v for v in values if v is not None]
    return int(min(known, default=0) * 10) * 10


def rates_chart(units: list[dict], metrics: list[str], lang: str) -> str:
    """A dot per rate for each unit on an axis up to 100 % (a null rate has no dot)."""
    left, top, row_h = 150, 30, 18
    height = top + row_h * len(units) + 24
    span = WIDTH - left - 20
    body = _legend(
        [(metric_label(m, lang), COLOURS[i % len(COLOURS)]) for i, m in enumerate(metrics)], 12
    )
    bottom = top + row_h * len(units)
    low = axis_start([u["metrics"][m]["value"] for u in units for m in metrics])
    for tick in range(low, 101, 10 if low < 50 else 5):
        x = left + span * (tick - low) / (100 - low)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" stroke="#ddd"/>')
        body.append(
            f'<text x="{x:.1f}" y="{bottom + 12}" text-anchor="middle" {FONT}>{tick}%</text>'
        )
    for i, unit in enumerate(units):
        y = top + i * row_h + row_h / 2
        body.append(
            f'<text x="{left - 6}" y="{y + 3:.1f}" text-anchor="end" {FONT}>'
            f"{escape(unit_name(unit, lang))}</text>"
        )
        for j, metric in enumerate(metrics):
            value = unit["metrics"][metric]["value"]
            if value is None:
                continue
            x = left + span * (value * 100 - low) / (100 - low)
            y_dot = y + (j - (len(metrics) - 1) / 2) * 3  # equal rates stay apart
            colour = COLOURS[j % len(COLOURS)]
            body.append(
                f'<circle cx="{x:.1f}" cy="{y_dot:.1f}" r="4" fill="{colour}" fill-opacity="0.85"/>'
            )
    return _svg(height, body)
