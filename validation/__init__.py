"""Validation suites (one per paper), the claims ledger and the benchmark registry."""
