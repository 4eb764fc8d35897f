"""The project's tests, importable from the top of the tree (python3 -m unittest tests.e2e...)."""
