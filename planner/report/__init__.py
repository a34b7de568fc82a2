"""Report: what a run hands over, written atomically.

- :mod:`planner.report.outputs`: ``plan.gpkg``, ``summary.json/csv``, ``manifest.json``.
- :mod:`planner.report.webmap`: ``map.html`` (folium).
- :mod:`planner.report.staticmap`: A4 ``map.png`` / ``map.pdf`` (matplotlib).
- :mod:`planner.report.note`: the council note (HTML and PDF, reportlab).
- :mod:`planner.report.assets`: colours, symbols, wording and formats shared by all of them.
"""
