"""The worker processes: stream ingest, live state, the demo county's seeder and simulator."""
