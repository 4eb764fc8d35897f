"""Tests on booted Debian servers under systemd-nspawn: run by tools/booted-test.sh."""
