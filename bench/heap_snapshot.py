"""V8 heap snapshots over the Chrome DevTools Protocol, and the diff of two of them:
what grew, by constructor, and the retainer paths that hold the objects that are new.

Bench code only (bench/wall_heap.py --snapshots). A snapshot of the wall's ~30 MB heap
is ~50 MB of JSON; parsing it takes a few seconds of Python.
"""

from __future__ import annotations

import json
import re
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path

# node types whose objects are grouped under one synthetic name, as DevTools does
GROUPED = {
    "array": "(array)",
    "string": "(string)",
    "concatenated string": "(string)",
    "sliced string": "(string)",
    "code": "(compiled code)",
    "closure": "(closure)",
    "regexp": "(regexp)",
    "number": "(number)",
    "hidden": "(system)",
    "object shape": "(system)",
    "synthetic": "(synthetic)",
    "bigint": "(bigint)",
}
PATH_HOPS = 12
SAMPLE = 3000


@dataclass
class Snapshot:
    """The parts of a heap snapshot the diff needs, as flat lists indexed by node."""

    keys: list[str]  # grouping name per node
    ids: list[int]
    sizes: list[int]
    first_edge: list[int]  # index into the edge lists; first_edge[n + 1] ends node n
    edge_to: list[int]
    edge_name: list[str]
    edge_weak: list[bool]
    detached: list[bool]  # DOM nodes no longer in a document (Chromium's "detachedness")


GC_FLAGS = ("--js-flags=--expose-gc",)  # what collect_garbage needs on Chromium's command line


def collect_garbage(cdp) -> None:
    """A full, memory-reducing GC in the page, done before the call returns (Chromium
    started with GC_FLAGS): V8's "last resort" GC, the one HeapProfiler.collectGarbage
    asks for. Not that command itself: on Chromium 156, under load, the page stopped
    answering anything within a minute after it, for good, in four runs out of five."""
    cdp.send(
        "Runtime.evaluate",
        {"expression": "gc({type: 'major', execution: 'sync', flavor: 'last-resort'})"},
    )


def take(cdp, save: Path | None = None) -> Snapshot:
    """Force a GC, then take and parse a snapshot through a Playwright CDP session;
    `save` keeps the raw snapshot (loadable in DevTools' Memory tab)."""
    chunks: list[str] = []

    def on_chunk(params: dict) -> None:
        chunks.append(params["chunk"])

    cdp.on("HeapProfiler.addHeapSnapshotChunk", on_chunk)
    collect_garbage(cdp)
    cdp.send("HeapProfiler.takeHeapSnapshot", {"reportProgress": False})
    cdp.remove_listener("HeapProfiler.addHeapSnapshotChunk", on_chunk)
    raw = "".join(chunks)
    if save is not None:
        save.write_text(raw)
    return parse(json.loads(raw))


def parse(raw: dict) -> Snapshot:
    meta = raw["snapshot"]["meta"]
    nf, ef = meta["node_fields"], meta["edge_fields"]
    node_types, edge_types = meta["node_types"][0], meta["edge_types"][0]
    strings, nodes, edges = raw["strings"], raw["nodes"], raw["edges"]
    n_width, e_width = len(nf), len(ef)
    f_type, f_name, f_id = nf.index("type"), nf.index("name"), nf.index("id")
    f_size, f_edges = nf.index("self_size"), nf.index("edge_count")
    f_detached = nf.index("detachedness") if "detachedness" in nf else None
    e_type, e_name, e_to = ef.index("type"), ef.index("name_or_index"), ef.index("to_node")
    keys, ids, sizes, first_edge, detached = [], [], [], [0], []
    for base in range(0, len(nodes), n_width):
        kind = node_types[nodes[base + f_type]]
        keys.append(GROUPED.get(kind) or strings[nodes[base + f_name]] or f"({kind})")
        ids.append(nodes[base + f_id])
        sizes.append(nodes[base + f_size])
        first_edge.append(first_edge[-1] + nodes[base + f_edges])
        detached.append(f_detached is not None and nodes[base + f_detached] == 2)
    edge_to, edge_name, edge_weak = [], [], []
    for base in range(0, len(edges), e_width):
        kind = edge_types[edges[base + e_type]]
        value = edges[base + e_name]
        named = kind not in ("element", "hidden")
        edge_to.append(edges[base + e_to] // n_width)
        edge_name.append(strings[value] if named else "[]")
        edge_weak.append(kind in ("weak", "shortcut"))
    return Snapshot(keys, ids, sizes, first_edge, edge_to, edge_name, edge_weak, detached)


def by_key(snap: Snapshot) -> dict[str, tuple[int, int]]:
    """Grouping name -> (count, self size in bytes)."""
    counts: Counter = Counter()
    sizes: Counter = Counter()
    for key, size in zip(snap.keys, snap.sizes, strict=True):
        counts[key] += 1
        sizes[key] += size
    return {k: (counts[k], sizes[k]) for k in counts}


def _retainers(snap: Snapshot) -> tuple[list[list[tuple[int, int]]], list[int]]:
    """Per node its (retainer, edge) pairs, and its distance from the GC root (node 0)."""
    retainers: list[list[tuple[int, int]]] = [[] for _ in snap.keys]
    for node in range(len(snap.keys)):
        for edge in range(snap.first_edge[node], snap.first_edge[node + 1]):
            if not snap.edge_weak[edge]:
                retainers[snap.edge_to[edge]].append((node, edge))
    distance = [-1] * len(snap.keys)
    distance[0] = 0
    queue = deque([0])
    while queue:
        node = queue.popleft()
        for edge in range(snap.first_edge[node], snap.first_edge[node + 1]):
            target = snap.edge_to[edge]
            if not snap.edge_weak[edge] and distance[target] < 0:
                distance[target] = distance[node] + 1
                queue.append(target)
    return retainers, distance


def retained_sizes(snap: Snapshot, retainers) -> list[int]:
    """Each node's retained size: its self size plus all it alone keeps alive (the
    dominator tree over strong edges from the root, Cooper-Harvey-Kennedy)."""
    n = len(snap.keys)
    order: list[int] = []  # postorder of a depth-first walk from the root
    seen = [False] * n
    seen[0] = True
    stack = [(0, snap.first_edge[0])]
    while stack:
        node, edge = stack[-1]
        while edge < snap.first_edge[node + 1] and (
            snap.edge_weak[edge] or seen[snap.edge_to[edge]]
        ):
            edge += 1
        if edge < snap.first_edge[node + 1]:
            stack[-1] = (node, edge + 1)
            target = snap.edge_to[edge]
            seen[target] = True
            stack.append((target, snap.first_edge[target]))
        else:
            stack.pop()
            order.append(node)
    rank = [-1] * n
    for index, node in enumerate(order):
        rank[node] = index
    idom = [-1] * n
    idom[0] = 0
    changed = True
    while changed:
        changed = False
        for node in reversed(order[:-1]):
            new = -1
            for parent, _ in retainers[node]:
                if rank[parent] < 0 or idom[parent] < 0:
                    continue
                if new < 0:
                    new = parent
                    continue
                a, b = parent, new
                while a != b:
                    while rank[a] < rank[b]:
                        a = idom[a]
                    while rank[b] < rank[a]:
                        b = idom[b]
                new = a
            if new != idom[node]:
                idom[node] = new
                changed = True
    retained = list(snap.sizes)
    for node in order[:-1]:  # a node's dominated nodes finish before it in postorder
        retained[idom[node]] += retained[node]
    return retained


def _detached(snap: Snapshot) -> tuple[int, int]:
    """Count and self size of DOM nodes no longer in a document."""
    found = [s for s, d in zip(snap.sizes, snap.detached, strict=True) if d]
    return len(found), sum(found)


def _path(snap: Snapshot, node: int, retainers, distance) -> str:
    """The shortest retainer chain from `node` towards the root, PATH_HOPS deep."""
    hops = []
    for _ in range(PATH_HOPS):
        closer = [(r, e) for r, e in retainers[node] if 0 <= distance[r] < distance[node]]
        if not closer:
            break
        parent, edge = closer[0]
        hops.append(f"{snap.keys[parent]}.{snap.edge_name[edge]}")
        node = parent
    return " <- ".join(hops)


def diff(before: Snapshot, after: Snapshot, top: int = 15) -> str:
    """A text report: the constructors that grew most, then, for the objects new since
    `before`, the retainer paths that hold most of them."""
    old, new = by_key(before), by_key(after)
    rows = []
    for key in set(old) | set(new):
        c0, s0 = old.get(key, (0, 0))
        c1, s1 = new.get(key, (0, 0))
        rows.append((s1 - s0, c1 - c0, key, c1, s1))
    rows.sort(reverse=True)
    total0 = sum(s for _, s in old.values())
    total1 = sum(s for _, s in new.values())
    lines = [
        f"self size {total0 / 1e6:.2f} MB -> {total1 / 1e6:.2f} MB "
        f"({(total1 - total0) / 1e6:+.2f} MB), nodes {len(before.keys)} -> {len(after.keys)}",
        "",
        f"{'delta bytes':>12} {'delta count':>11} {'count':>8}  constructor",
    ]
    lines += [f"{ds:>12,} {dc:>11,} {c1:>8,}  {key}" for ds, dc, key, c1, _ in rows[:top]]
    seen = set(before.ids)
    fresh = [n for n, i in enumerate(after.ids) if i not in seen]
    retainers, distance = _retainers(after)
    growing = {key for ds, _, key, _, _ in rows[:5] if ds > 0}
    sample = [n for n in fresh if after.keys[n] in growing and distance[n] > 0][:SAMPLE]
    paths: Counter = Counter()
    for node in sample:
        path = re.sub(r"\d+", "#", _path(after, node, retainers, distance))
        paths[f"{after.keys[node]}: {path}"] += 1
    lines += ["", f"objects new since the first snapshot: {len(fresh):,}; retainer paths of "
              f"{len(sample):,} of them (in the 5 groups that grew most):"]  # fmt: skip
    lines += [f"{n:>6}  {path}" for path, n in paths.most_common(top)]
    lines += _retained_report(before, after, retainers, distance, top)
    return "\n".join(lines)


def _retained_report(before: Snapshot, after: Snapshot, retainers, distance, top: int):
    """The objects present in both snapshots whose retained size grew most, detached DOM,
    and the largest strings and arrays of the second snapshot."""
    early = dict(zip(before.ids, retained_sizes(before, _retainers(before)[0]), strict=True))
    late = retained_sizes(after, retainers)
    grown = sorted(
        ((late[n] - early[i], n) for n, i in enumerate(after.ids) if i in early and n),
        reverse=True,
    )
    lines = ["", "retained size grew most (objects in both snapshots):"]
    for delta, node in grown[:top]:
        path = _path(after, node, retainers, distance)
        lines.append(f"{delta:>+12,} -> {late[node]:>11,}  {after.keys[node]} <- {path}")
    c0, s0 = _detached(before)
    c1, s1 = _detached(after)
    lines += ["", f"detached DOM nodes: {c0:,} ({s0:,} B) -> {c1:,} ({s1:,} B)", ""]
    lines.append("largest strings and arrays in the second snapshot (* new):")
    big = sorted(
        (n for n, k in enumerate(after.keys) if k in ("(string)", "(array)")),
        key=lambda n: -late[n],
    )
    old_ids = set(before.ids)
    for node in big[:top]:
        mark = " " if after.ids[node] in old_ids else "*"
        path = _path(after, node, retainers, distance)
        lines.append(f"{mark}{late[node]:>11,}  {after.keys[node]} <- {path}")
    return lines


if __name__ == "__main__":
    import sys

    first, second = (parse(json.loads(Path(f).read_text())) for f in sys.argv[1:3])
    print(diff(first, second))
