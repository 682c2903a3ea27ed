"""Techniekpact Monitor pipeline: plain, typed logic that the Dagster assets in `assets/` call.

Module map (in pipeline order):
- `settings`, `editions`, `reference`: where things live, which editions exist, reference tables.
- `sources`: recognising and parsing the raw deliveries of DUO, CBS and UWV (the raw stage).
- `core`: harmonised long tables with one meaning each.
- `classify`: STEM flags under the Dutch and the international definition.
- `indicators`: the indicator tables.
- `warehouse`, `publish`: the SQL warehouse and the edition outputs (CSV, HTML, PDF, manifest).
- `dagster_support`: IO manager, resources and progress display used by the code location.
- `cli`: the `techpact` console script.
"""

__version__ = "0.1.0"

# The disclosure control solves many small dense linear systems; multi-threaded BLAS on these
# shared 2-core machines makes them 10-100x slower (thread oversubscription). Set before numpy loads.
import os as _os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_name, "1")
