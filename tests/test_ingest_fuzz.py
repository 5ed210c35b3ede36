"""~10,000 generated malformed entries among valid ones: ingest never crashes, every bad
entry is dead-lettered (once, with its reason), every good one is applied."""

from __future__ import annotations

import random
import uuid

from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sqlalchemy import select

from bench.ingest_rate import lifecycle_entries
from common import clock
from data_access.models import DisputeEvent, IncidentEvent
from tests.factories import TZ
from tests.servers import drain, fast_ingest, publish
from worker.contract import ContractError, parse_entry

FIELDS = ["event_id", "entity", "id", "status", "ts", "channel", "category", "town", "grid",
          "lat", "lon", "priority", "deadline", "department", "satisfaction", "level", "kind",
          "mediation_type", "judicial_confirmation", "title", "actor", "extra"]  # fmt: skip
# Text Redis can carry and SQL can store (NUL is tested on its own), short enough for
# every column: the contract's length limits are tested in test_ingest_contract.
TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(["", " ", "incident", "dispute", "reported", "accepted", "mediated", "0",
                     "-1", "6", "1e400", "nan", "2026-13-01", "9999-12-31T00:00:00", "+08:00"]),
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=True).map(str),
)  # fmt: skip
MUTATIONS = st.tuples(st.sampled_from(["drop", "set", "empty"]), st.sampled_from(FIELDS), VALUES)
PER_EXAMPLE = 4500  # x 3 examples: ~10,000 malformed entries per database


@hyp_settings(
    max_examples=3,
    phases=[Phase.explicit, Phase.generate],  # shrinking 5,000 entries takes minutes
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)  # fmt: skip
@given(mutations=st.lists(MUTATIONS, min_size=50, max_size=300), seed=st.integers(0, 2**32))
def test_malformed_entries_mixed_with_valid_ones(settings, redis_client, db_url, mutations, seed):
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]  # examples share the database: tell their events apart
    prefix = f"{settings.stream_prefix}{run}:"
    settings = settings.with_(stream_prefix=prefix)
    tag = f"{run}-"
    entries = []
    for base in lifecycle_entries(PER_EXAMPLE, clock.now()):
        base = {**base, "event_id": tag + base["event_id"], "id": tag + base["id"]}
        if rng.random() < 0.9:  # most get one to three mutations: ~three quarters end up bad
            for op, name, value in rng.sample(mutations, rng.randint(1, 3)):
                if op == "drop":
                    base.pop(name, None)
                else:
                    base[name] = "" if op == "empty" else value
            if not base:
                base = {"only": "junk"}
        entries.append(base)
    ids = publish(redis_client, settings.stream_key, entries)
    ingest = fast_ingest(settings, batch_size=500)
    drain(ingest)  # raises if ingest crashes

    now, good, bad = clock.now(), {}, set()
    for stream_id, fields in zip(ids, entries, strict=True):
        try:
            event = parse_entry(stream_id, fields, TZ, now)
            good.setdefault(event.event_id, event)
        except ContractError:
            bad.add(stream_id)
    dead = [f[b"source_id"].decode() for _, f in redis_client.xrange(settings.dead_key)]
    assert sorted(dead) == sorted(bad)
    assert all(f[b"error"] for _, f in redis_client.xrange(settings.dead_key))
    with ingest.engine.connect() as conn:
        stored = set(conn.execute(select(IncidentEvent.event_id)).scalars())
        stored |= set(conn.execute(select(DisputeEvent.event_id)).scalars())
    assert {e for e in stored if e.startswith(tag)} >= {e for e in good if e.startswith(tag)}
    assert {e for e in good if not e.startswith(tag)} <= stored  # mutated event_ids too
    assert len(bad) > PER_EXAMPLE // 4  # the test is not vacuous
    ingest.close()
    keys = list(redis_client.scan_iter(match=f"{prefix}*"))
    if keys:
        redis_client.delete(*keys)
