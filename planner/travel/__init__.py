"""Travel: street networks per mode, snapping, travel-time matrices and their disk cache.

- :mod:`planner.travel.network`: a routable graph per mode from a line layer or OSM XML.
- :mod:`planner.travel.noding`: how a line layer's segments meet (end points, T-junctions).
- :mod:`planner.travel.matrices`: sector-to-site and site-to-site minutes (scipy Dijkstra).
- :mod:`planner.travel.cache`: network arrays and matrices on disk, keyed by their inputs.
"""
