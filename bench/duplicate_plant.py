"""A generated incident stream with known duplicates planted in it (issue 19, point 4).

`planted(seed, incidents, days, share, now, neighbour_share=0)` -> (stream entries in
arrival order, the true duplicate pairs). The background is the demo county's own generator (whole
lifecycles up to now, so many incidents are closed, some rejected); for a `share` of
them, the same problem is reported again 1-3 times: through another channel, up to
6.5 days later (half within about 12 hours), a few tens of metres away (a tenth of
re-reports without coordinates, in the same grid; with `neighbour_share`, that share of
those coded to a grid adjacent to the original's instead, as a clerk codes the place a
caller names on a grid's edge), worded differently (the channel's
own lead-in, the place said another way, the title reworded or prefixed, another
detail, another request), by the same caller about a third of the time the channel has
one. Every pair within one problem's reports is a true pair.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from itertools import combinations

from common.config import PROJECT_ROOT
from common.vocabulary import CREATED
from data_access.grid_adjacency import GridMap, grid_map
from data_access.masterdata import read_masterdata
from demo.county import Model, load_model
from demo.history import ASKS, INTRO, RATED, _phone, _place, _texts, incident_events

# rewordings a second caller may use for the same thing
SYNONYMS = (
    ("未及时清运", "没人清运"), ("垃圾", "生活垃圾"), ("噪音", "噪声"), ("破损", "损坏"),
    ("故障", "坏了"), ("不亮", "不亮了"), ("堵塞", "堵住了"), ("严重", "很严重"),
    ("扰民", "影响休息"), ("乱停乱放", "乱停"), ("积水", "积水很深"), ("异味", "臭味"),
    ("拖欠", "欠"), ("停水", "没水"), ("停电", "没电"), ("小区", "我们小区"),
)  # fmt: skip


def _reword(title: str, rng: random.Random) -> str:
    words = [(a, b) for a, b in SYNONYMS if a in title]
    for a, b in rng.sample(words, k=min(len(words), rng.randint(1, 2))):
        title = title.replace(a, b, 1)
    return title


def _jitter(lat: float, lon: float, rng: random.Random, sigma_m: float = 40.0):
    dlat = rng.gauss(0, sigma_m) / 111_320
    dlon = rng.gauss(0, sigma_m) / (111_320 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _again(
    model: Model,
    rng: random.Random,
    original: dict,
    ident: str,
    at: datetime,
    grids: GridMap | None = None,
    neighbour_share: float = 0.0,
) -> dict:
    """The same problem reported again: another channel, wording, place and time; a
    `neighbour_share` of those without coordinates coded to a grid adjacent in `grids`."""
    info = model.grid_info(original["grid"])
    channel = original["channel"]
    while channel == original["channel"]:
        channel = model.channels.pick(rng)
    _titles, details, _results = _texts(model, original["category"])
    base = original["title"].removeprefix(info.community_zh)
    title = rng.choice((base, f"{info.community_zh}{base}", _reword(base, rng)))
    old_place = original["description"].removeprefix(INTRO.get(original["channel"], ""))
    place = old_place.split(base, 1)[0] if rng.random() < 0.6 else _place(rng, info)
    said = _reword(base, rng) if rng.random() < 0.5 else base
    phone = None
    if channel in RATED:
        same = original.get("reporter_phone") and rng.random() < 0.35
        phone = original["reporter_phone"] if same else _phone(rng)
    contact = f"联系电话{phone}。" if phone and rng.random() < 0.2 else ""
    fields = {
        "event_id": f"{ident}-E1",
        "entity": "incident",
        "id": ident,
        "status": CREATED,
        "ts": at.astimezone(model_tz(original)).isoformat(timespec="seconds"),
        "actor": "re-report",
        "channel": channel,
        "category": original["category"],
        "town": original["town"],
        "grid": original["grid"],
        "priority": original["priority"],
        "title": title,
        "description": f"{INTRO.get(channel, '')}{place}{said}，{rng.choice(details)}。"
        f"{rng.choice(ASKS)}{contact}",
    }
    if rng.random() < 0.9:
        lat, lon = _jitter(float(original["lat"]), float(original["lon"]), rng)
        fields |= {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}
    elif grids is not None and neighbour_share:
        # its own generator, so the seed's stream (and every other entry) stays the same
        recode = random.Random(ident)
        if recode.random() < neighbour_share:
            grid = recode.choice(sorted(grids.adjacent[original["grid"]]))
            fields |= {"grid": grid, "town": grids.towns[grid]}
    if phone:
        fields["reporter_phone"] = phone
    return fields


def model_tz(event: dict):
    return datetime.fromisoformat(event["ts"]).tzinfo


def planted(
    seed: int,
    incidents: int,
    days: float,
    share: float,
    now: datetime,
    neighbour_share: float = 0.0,
) -> tuple[list[dict], set[frozenset[str]]]:
    """(entries in arrival order, true pairs) for one seed; the same entries for a seed
    whatever `neighbour_share` but for the grids of those it recodes."""
    model = load_model(PROJECT_ROOT / "masterdata")
    grids = None
    if neighbour_share:
        rows = read_masterdata(PROJECT_ROOT / "masterdata").grids
        grids = grid_map((g["code"], g["town"], g["geometry"]["coordinates"][0]) for g in rows)
    rng = random.Random(seed)
    start = now - timedelta(days=days)
    entries: list[dict] = []
    truth: set[frozenset[str]] = set()
    for n in range(incidents):
        at = start + timedelta(seconds=rng.uniform(0, days * 86400))
        life = incident_events(model, rng, f"INC-{seed}-{n:06d}", at, now=now)
        entries += life
        if rng.random() >= share:
            continue
        reports = [life[0]["id"]]
        for k in range(rng.choice((1, 1, 1, 1, 1, 1, 2, 2, 2, 3))):
            later = at + timedelta(hours=min(rng.expovariate(1 / 18), 156))
            if later > now:
                continue
            ident = f"INC-{seed}-{n:06d}-{k}"
            entries.append(_again(model, rng, life[0], ident, later, grids, neighbour_share))
            reports.append(ident)
        truth |= {frozenset(p) for p in combinations(reports, 2)}
    entries.sort(key=lambda e: datetime.fromisoformat(e["ts"]))
    return entries, truth
