"""End-to-end tests against real OpenVPN: python3 -m unittest tests.e2e.test_daemon (from the top)."""
