"""Benchmarks of the digest generator (`make bench`)."""
