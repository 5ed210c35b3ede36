"""Kill a web host (every process on it, kill -9, as a power loss): HAProxy takes it out;
the walls it served reconnect through the other host within 5 s, with the kiosk cookie
they already hold (no new sign-in: CC_SECRET_KEY is the same on every host)."""

from __future__ import annotations

import time

from deploy.cluster import roles, services
from deploy.cluster.drills.probes import Wall, haproxy_state, say, wait_until
from deploy.cluster.topology import WEB_HOSTS

WALLS = 6
LIMIT_S = 5.0


def run() -> dict:
    walls = [Wall() for _ in range(WALLS)]
    wait_until(lambda: all(w.messages for w in walls), 30.0)
    served = {w.served_by() for w in walls}
    victim = next(h for h in WEB_HOSTS if h.name[3:] in served)
    on_victim = [w for w in walls if w.served_by() == victim.name[3:]]
    say(f"{len(on_victim)} of {WALLS} walls on {victim.name}; kill -9 every process on it")
    killed = time.monotonic()
    services.kill_host(victim)
    out = wait_until(lambda: haproxy_state().get(victim.name[3:], "").startswith("DOWN"), 30.0)
    out_s = time.monotonic() - killed
    wait_until(lambda: all(w.first_message_after(killed + 0.5) for w in on_victim), 30.0)
    gaps = [(w.first_message_after(killed + 0.5) or float("inf")) - killed for w in on_victim]
    relogins = sum(
        1 for w in walls for at, status, _ in w.connects if at > killed and status != 200
    )
    moved = sum(1 for w in on_victim if w.served_by() != victim.name[3:])
    for wall in walls:
        wall.stop()
    services.forget(f"web-{victim.name}")
    say(f"restart the web host {victim.name}")
    roles.product(victim, "web")
    back = wait_until(lambda: haproxy_state().get(victim.name[3:]) == "UP", 120.0)
    figures = {
        "walls on the killed host": len(on_victim),
        "seconds until HAProxy marked it DOWN": round(out_s, 1) if out else None,
        "walls reconnected through the other host": moved,
        "worst seconds from the kill to a wall's next message": round(max(gaps), 1),
        "answers other than 200 after the kill (sign-in asked)": relogins,
        "host back in HAProxy after restart": bool(back),
    }
    figures["passed"] = bool(
        out and moved == len(on_victim) and max(gaps) <= LIMIT_S and relogins == 0 and back
    )
    return figures
