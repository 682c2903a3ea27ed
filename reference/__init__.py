"""The versioned reference tables (`<area>/<name>.csv` with `<name>.meta.toml`), shipped with the code
as package data; `pipeline.reference` loads them."""
