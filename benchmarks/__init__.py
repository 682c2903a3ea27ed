"""Benchmarks of the pipeline: `python -m benchmarks.run` (or `make bench`)."""
