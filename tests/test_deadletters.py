"""The dead-letter CLI: list, count, replay with corrections."""

from __future__ import annotations

from sqlalchemy import select

from common import clock
from data_access.models import Incident
from tests.factories import TZ, reported
from tests.servers import drain, fast_ingest, publish
from worker.deadletters import main


def test_list_count_and_replay(settings, redis_client, capsys):
    ingest = fast_ingest(settings)
    good_ts = clock.now().astimezone(TZ).isoformat()
    broken = reported("INC-DL", "not a time", reporter_phone="13800001234")
    (source,) = publish(redis_client, settings.stream_key, [broken])
    drain(ingest)

    assert main(["count"], settings) == 0
    assert capsys.readouterr().out == "1\n"
    main(["list", "--limit", "5"], settings)
    out = capsys.readouterr().out
    assert f"source {source}" in out and "ts 'not a time' is not an ISO 8601" in out
    (dead_id,) = [i.decode() for i, _ in redis_client.xrange(settings.dead_key)]

    assert main(["replay", dead_id], settings) == 1  # still invalid: refused
    assert "still invalid" in capsys.readouterr().out
    assert main(["replay", dead_id, "--set", f"ts={good_ts}", "--set", "town=T9"], settings) == 0
    assert f"{dead_id} -> " in capsys.readouterr().out
    assert redis_client.xlen(settings.dead_key) == 0
    (_, fields) = redis_client.xrevrange(settings.stream_key, count=1)[0]
    assert b"error" not in fields and b"source_id" not in fields
    drain(ingest)
    with ingest.engine.connect() as conn:
        row = conn.execute(select(Incident).where(Incident.id == "INC-DL")).one()
    assert (row.town, row.reporter_phone) == ("T9", "13800001234")
    assert main(["replay", "0-1"], settings) == 1
    assert "no such dead letter" in capsys.readouterr().out
    ingest.close()
