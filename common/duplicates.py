"""How likely two incident reports are the same problem (重复件): a pure scorer.

score = place x text x time, plus a bonus when the same caller reported both, capped at 1.
- place: 1 within 50 m, falling linearly to 0 at 300 m; reports without coordinates
  score by grid (same grid 0.6, an adjacent grid 0.4: grids here are 1-2 km across, so
  it is weaker evidence, and a neighbour's alone never reaches the threshold without the
  same caller);
- text: the Dice coefficients of the two texts' character sets and character bigram sets,
  after normalising (NFKC, lower case, no punctuation or space) and taking phone numbers
  out, the title's and the description's (less its intake lead-in such as "市民来电反映：")
  weighing alike; mapped so that unrelated texts of one category (which share the
  category's words) score 0 and a reworded report of the same problem 1. Works on
  Chinese without a segmenter or a model;
- time: 1 within a day, falling linearly to 0.5 at the 7-day window's end;
- same caller: the reporter phones' digits compare equal (compared hashed, never shown).

The worker (worker/duplicates.py) scores the new report against the open and recently
closed reports of its category in the window, in its grid or a grid adjacent on the map
(data_access.grid_adjacency) or within RADIUS_M; pairs at or above THRESHOLD are
shown to staff. The constants were chosen on bench/duplicates_quality.py's seeds 1-2
(planted duplicates in the demo generator's stream); its figures are for other seeds.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from common.masking import mask_text

THRESHOLD = 0.5  # a pair at or above it is shown to staff as a possible duplicate
WINDOW = timedelta(days=7)  # reports further apart in time are never candidates
RADIUS_M = 300.0  # the place scores 0 this far apart (both with coordinates)
NEAR_M = 50.0  # within this, the place counts in full
SAME_GRID = 0.6  # the place score of two reports in one grid without coordinates
ADJACENT_GRID = 0.4  # likewise in two grids that touch on the map
SAME_CALLER_BONUS = 0.25
TEXT_FLOOR = 0.3  # raw text similarity of unrelated reports of one category
TEXT_FULL = 0.65  # raw text similarity from which the texts count in full

_MASKED = re.compile(r"\d{3}\*{4}\d{4}|\*{4}")
_NOT_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d")
# the intake's lead-in of a description ("市民来电反映：", "网格员巡查发现："): who took it,
# not what the problem is
_INTAKE = re.compile(r"^[^：:。，,]{0,16}[：:]")


@dataclass(frozen=True)
class Report:
    """What the scorer reads of one incident."""

    id: str
    at: datetime
    grid: str | None
    lat: float | None
    lon: float | None
    title: tuple[frozenset[str], frozenset[str]]  # characters, bigrams
    body: tuple[frozenset[str], frozenset[str]]
    caller: str | None  # a hash of the reporter phone's digits


@dataclass(frozen=True)
class Match:
    """A scored pair and its reasons, as staff see them."""

    score: float
    distance_m: float | None
    hours: float
    text: float
    same_caller: bool


def normalise(text: str) -> str:
    """Text as compared: NFKC, lower case, phone numbers out, no punctuation or space."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _NOT_WORD.sub("", _MASKED.sub("", mask_text(text) or ""))


def caller_key(phone: str | None) -> str | None:
    """A hash of a phone's last 11 digits (country prefixes and separators aside)."""
    digits = "".join(_DIGITS.findall(unicodedata.normalize("NFKC", phone or "")))[-11:]
    if len(digits) < 7:
        return None
    return hashlib.blake2b(digits.encode(), digest_size=8).hexdigest()


def report(
    ident: str,
    at: datetime,
    grid: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    title: str | None = None,
    description: str | None = None,
    phone: str | None = None,
) -> Report:
    body = normalise(_INTAKE.sub("", description or "", count=1))
    return Report(
        id=ident,
        at=at,
        grid=grid or None,
        lat=lat,
        lon=lon,
        title=_grams(normalise(title or "") or body[:20]),
        body=_grams(body),
        caller=caller_key(phone),
    )


def _grams(text: str) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(text), frozenset(text[i : i + 2] for i in range(len(text) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _similarity(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]) -> float:
    return (dice(a[0], b[0]) + dice(a[1], b[1])) / 2


def text_similarity(a: Report, b: Report) -> float:
    """Raw similarity in [0, 1]: the titles' and the descriptions' character and bigram
    Dice, the title (the problem in a few words) weighing as much as the description."""
    return (_similarity(a.title, b.title) + _similarity(a.body, b.body)) / 2


def distance_m(a: Report, b: Report) -> float | None:
    """Metres between the two reports' points (equirectangular: exact enough under 1 km)."""
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    mean_lat = math.radians((a.lat + b.lat) / 2)
    dx = math.radians(b.lon - a.lon) * math.cos(mean_lat)
    dy = math.radians(b.lat - a.lat)
    return 6_371_000 * math.hypot(dx, dy)


def place_score(distance: float | None, same_grid: bool, adjacent_grid: bool = False) -> float:
    if distance is None:
        return SAME_GRID if same_grid else ADJACENT_GRID if adjacent_grid else 0.0
    if distance <= NEAR_M:
        return 1.0
    return max(0.0, 1 - (distance - NEAR_M) / (RADIUS_M - NEAR_M))


def time_score(hours: float) -> float:
    if hours > WINDOW.total_seconds() / 3600:
        return 0.0
    return 1.0 if hours <= 24 else 1 - 0.5 * (hours - 24) / (WINDOW.total_seconds() / 3600 - 24)


def text_score(similarity: float) -> float:
    return min(1.0, max(0.0, (similarity - TEXT_FLOOR) / (TEXT_FULL - TEXT_FLOOR)))


def score(a: Report, b: Report, adjacent_grids: bool = False) -> Match:
    """How likely a and b report the same problem, with the reasons; `adjacent_grids`:
    their grids touch on the map (the caller knows the map)."""
    distance = distance_m(a, b)
    hours = abs((a.at - b.at).total_seconds()) / 3600
    place = place_score(distance, a.grid is not None and a.grid == b.grid, adjacent_grids)
    similarity = text_similarity(a, b)
    same_caller = a.caller is not None and a.caller == b.caller
    value = place * text_score(similarity) * time_score(hours)
    if same_caller and place > 0 and time_score(hours) > 0:
        value += SAME_CALLER_BONUS
    return Match(
        score=round(min(1.0, value), 4),
        distance_m=None if distance is None else round(distance, 1),
        hours=round(hours, 2),
        text=round(similarity, 4),
        same_caller=same_caller,
    )
