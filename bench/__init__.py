"""Benchmarks: each prints its figures and compares them with a baseline measured in
the same run. Run them all with `python -m bench` (see bench/README.md)."""
