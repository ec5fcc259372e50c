"""The map page: zones by batch on a map of China, filters, regional summary, table, downloads.

The parts live in cbec.ui.map; this script only says which page it is.
"""

from cbec.ui import map, shared

shared.entrypoint_first()
map.page()
