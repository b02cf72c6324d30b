"""Running many patches: each in a worker (a local process pool or a Dask cluster), with
verdicts kept across runs. See docs/scale.md."""
