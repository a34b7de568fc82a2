"""Data: official sources, ``planner data``, raster points, the demo city, reading the inputs.

- :mod:`planner.data.inputs`: read and check a scenario's sector and site layers.
- :mod:`planner.data.sources`: readers for Statbel, Flemish and city files.
- :mod:`planner.data.prepare`: ``planner data``: official files → ``data/statsec/<name>/``.
- :mod:`planner.data.raster`: population-weighted representative points from a raster.
- :mod:`planner.data.demo`: the generated demo town.
- :mod:`planner.data.instances`: published benchmark instances (OR-Library, CPMP, SJC).
"""
