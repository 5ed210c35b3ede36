"""Code shared by the web tier and the workers: configuration, clock, masking."""
