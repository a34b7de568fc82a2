"""Report: what a run hands over, written atomically.

- :mod:`planner.report.outputs`: ``plan.gpkg``, ``summary.json/csv``, ``manifest.json``.
- :mod:`planner.report.webmap`: ``map.html`` (folium; layers in ``webmap_layers``, wording in
  ``webmap_text``).
- :mod:`planner.report.staticmap`: A4 ``map.png`` / ``map.pdf`` (matplotlib).
- :mod:`planner.report.note`: the council note (HTML; wording in ``note_text`` and
  ``note_remarks``, the PDF with reportlab in ``note_pdf``).
- :mod:`planner.report.comparison`: the table of a comparison of plans (and any CSV table);
  :mod:`planner.report.comparison_pages`: its markdown, page of maps and folder.
- :mod:`planner.report.sweep_plot`: the sweep's cost-coverage plot (matplotlib).
- :mod:`planner.report.assets`: colours, symbols, wording and formats shared by all of them.
"""
