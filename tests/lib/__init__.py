"""What the end-to-end tests, the booted-host tests and the benchmarks share: the harness (real
OpenVPN servers and clients, the stand-in panel, processes stopped by pid, free ports, subnets,
cgroups) and the nginx TLS front. Imported as tests.lib from the top of the tree."""
