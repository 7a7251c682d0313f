"""Benchmarks: each module is a script (``python bench/<name>.py`` or ``python -m bench.<name>`` from the repository
root) that writes a JSON result (and often a PNG) to ``bench/results/`` naming the command that regenerates it; what
they share is in :mod:`bench.common`."""
