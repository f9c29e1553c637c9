"""Benchmarks: each `bench_*.py` module has `main()`, prints its figures and a ratio to a baseline
measured in the same run. `make bench` runs them all; `python -m bench NAME` runs one."""
