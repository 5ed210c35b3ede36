"""The failover drills (issue 21): `python -m deploy.cluster.drills [--only NAME,...]`."""
