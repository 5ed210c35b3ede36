"""Layout components shared by pages: pure functions from plain values to Dash components."""
