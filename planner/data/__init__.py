"""Data: official sources, ``planner data``, raster points, the demo city, reading the inputs.

Reading official files (each module imports only those above it):

- :mod:`planner.data.layers`: open a vector file, with one clear error for every failure.
- :mod:`planner.data.tables`: sector tables (CSV/TXT/XLSX), columns and sector codes.
- :mod:`planner.data.boundaries`: sector polygons, one municipality, joins of tables onto them.
- :mod:`planner.data.indicators`: need-indicator tables, the kansarmoede-index, imputation.
- :mod:`planner.data.sources`: Statbel population, age and income tables, the target group;
  re-exports the readers above.
- :mod:`planner.data.site_types`: what each kind of place can host and costs.

``planner data`` (official files → ``data/statsec/<name>/``):

- :mod:`planner.data.files`: the files found in a download folder and the choices.
- :mod:`planner.data.download`: official files and OpenStreetMap through Overpass.
- :mod:`planner.data.sectors`: the sector layer.
- :mod:`planner.data.sites`: the site layer.
- :mod:`planner.data.prepare`: the whole preparation and its report.
- :mod:`planner.data.raster`: population-weighted representative points from a raster.

A scenario's inputs:

- :mod:`planner.data.checks`: column, id and geometry checks.
- :mod:`planner.data.inputs`: read and check a scenario's sector and site layers.
- :mod:`planner.data.notes`: what the inputs estimate or look wrong, for the plan's notes.

Made-up and published data:

- :mod:`planner.data.demo`: the generated demo town (:mod:`~planner.data.demo_town`,
  :mod:`~planner.data.demo_sectors`, :mod:`~planner.data.demo_sites`).
- :mod:`planner.data.instances`: published benchmark instances (OR-Library, CPMP, SJC).
"""
