"""The map page: zones by batch on a map of China, filters, regional summary, table, downloads.

The parts live in cbec.mapui; this script only says which page it is.
"""

from cbec import mapui, ui

ui.entrypoint_first()
mapui.page()
