"""A whole deployment on one machine, in network namespaces: `deploy/cluster/up` and
`deploy/cluster/down` (docs/deploy.md is the same layout on real hosts)."""
