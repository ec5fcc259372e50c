"""Nearest zone: which pilot zone is closest to a city or a place, and coverage over time.

The parts live in cbec.ui.nearest_zone; this script only says which page it is.
"""

from cbec.ui import nearest_zone, shared

shared.entrypoint_first()
nearest_zone.page(shared.current())
