"""Dagster assets, one module per pipeline stage. Assets are thin: they declare lineage, checks and
metadata and call the plain functions in `pipeline`."""
