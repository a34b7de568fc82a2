"""Workflows: the stages chained into a run, a comparison and a sweep.

- :mod:`planner.workflows.pipeline`: :func:`~planner.workflows.pipeline.run` and ``validate``.
- :mod:`planner.workflows.compare`: several plans side by side and against a baseline.
- :mod:`planner.workflows.sweep`: parameter sweeps in parallel.
"""
