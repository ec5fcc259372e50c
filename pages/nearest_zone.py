"""Nearest zone: which pilot zone is closest to a city or a place, and coverage over time.

The parts live in cbec.nearestui; this script only says which page it is.
"""

from cbec import nearestui, ui

ui.entrypoint_first()
nearestui.page()
