"""Results: the frozen plan, its figures counted in families, equity, and the independent check.

- :mod:`planner.results.plan`: a solved model → :class:`~planner.results.plan.Plan`.
- :mod:`planner.results.metrics`: coverage shares and travel-time figures.
- :mod:`planner.results.equity`: figures per need quintile and inequality indices.
- :mod:`planner.results.precision`: the same plan under speeds ±10 % and standards ±1 min,
  the range of each headline share and the rounding rule it sets.
- :mod:`planner.results.phases`: a phased rollout, the year each site opens and every phase's
  figures (checked per phase by :mod:`~planner.results.check_phases`).
- :mod:`planner.results.check`: every plan re-verified from the raw inputs
  (:mod:`~planner.results.check_base` reads both sides, :mod:`~planner.results.check_rules`
  checks the policy rules).
"""
