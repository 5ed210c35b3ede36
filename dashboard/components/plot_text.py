"""Text from data, made safe for Plotly.

Plotly draws trace names, labels, hover text, tick text and annotations as a small HTML
of its own (`<a href>`, `<span style>`, `<b>`, `<br>`), so an open-set code such as a
channel, town or mediator named `<a href="http://x">` would be a live link on a leader's
chart. Every text a figure takes from data passes through `plot_text`: `&`, `<` and `>`
become entities, which Plotly shows as the characters typed, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable


def plot_text(value: object) -> str:
    return html.escape(str(value), quote=False)


def plot_texts(values: Iterable) -> list[str]:
    return [plot_text(v) for v in values]
