"""Benchmarks: ``python -m bench.<name>``. They print figures; they never assert timings."""
