"""The embedded sample: deterministic, synthetic deliveries in the real publication formats.

`python -m pipeline.sample` (or `techpact sample`) writes `data/sample/<edition>/` for every sample
edition. Numbers are a deterministic function of (seed, programme, location, year, sex), so the
years that consecutive editions share agree, as in DUO's real files. Institutions are fictitious;
programme codes, sectors and municipality codes are real.
"""
