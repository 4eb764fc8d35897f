"""The benchmarks; the Python ones run from the top of the tree: python3 -m bench.e2e_bench."""
