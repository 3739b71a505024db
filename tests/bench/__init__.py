"""Benchmarks (`make bench`): not part of `make test`; every figure is a ratio to a reference
measured in the same run, on the same machine, through the same server."""
