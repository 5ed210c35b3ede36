"""The cluster's network: one namespace per host, each linked by a veth pair to one
bridge on this machine, addresses on a /24 with no route out (no NAT, no default route).
Partitions are routes inside a host's namespace, so a cut host keeps running."""

from __future__ import annotations

import subprocess

from deploy.cluster.topology import BRIDGE, BRIDGE_IP, HOSTS, Host


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def in_host(host: Host, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command inside `host`'s namespace and wait for it."""
    command = ["ip", "netns", "exec", host.name, *args]
    return subprocess.run(command, capture_output=True, text=True, check=check)


def existing_namespaces() -> set[str]:
    return {line.split()[0] for line in ip("netns", "list").stdout.splitlines() if line}


def create() -> None:
    """The bridge, then each host's namespace, link and address."""
    ip("link", "add", BRIDGE, "type", "bridge")
    ip("addr", "add", f"{BRIDGE_IP}/24", "dev", BRIDGE)
    ip("link", "set", BRIDGE, "up")
    for host in HOSTS:
        ip("netns", "add", host.name)
        ip("link", "add", host.veth, "type", "veth", "peer", "name", "eth0", "netns", host.name)
        ip("link", "set", host.veth, "master", BRIDGE)
        ip("link", "set", host.veth, "up")
        in_host(host, "ip", "link", "set", "lo", "up")
        in_host(host, "ip", "addr", "add", f"{host.ip}/24", "dev", "eth0")
        in_host(host, "ip", "link", "set", "eth0", "up")


def remove() -> list[str]:
    """Every namespace (its processes killed first: they are the cluster's) and the
    bridge; a host's veth goes with its namespace. Returns what it removed."""
    removed = []
    present = existing_namespaces()
    for host in HOSTS:
        if host.name not in present:
            continue
        pids = ip("netns", "pids", host.name, check=False).stdout.split()
        if pids:
            subprocess.run(["kill", "-9", *pids], capture_output=True, check=False)
        ip("netns", "del", host.name, check=False)
        removed.append(host.name)
    for link in [BRIDGE, *(h.veth for h in HOSTS)]:
        if ip("link", "show", link, check=False).returncode == 0:
            ip("link", "del", link, check=False)
            removed.append(link)
    return removed


def cut(host: Host, peers: list[Host]) -> None:
    """A partition: `host` can no longer reach `peers` (packets dropped, as when a switch
    port or a firewall fails), and the other way round for replies."""
    for peer in peers:
        in_host(host, "ip", "route", "add", "blackhole", f"{peer.ip}/32")


def heal(host: Host, peers: list[Host]) -> None:
    for peer in peers:
        in_host(host, "ip", "route", "del", "blackhole", f"{peer.ip}/32", check=False)


def link(host: Host, up: bool) -> None:
    """Pull (or plug back) a host's network cable."""
    ip("link", "set", host.veth, "up" if up else "down")
