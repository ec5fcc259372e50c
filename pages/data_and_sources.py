"""Data and sources: the whole dataset, its dictionary, the State Council replies, how the
points were made, caveats and downloads.

The parts live in cbec.dataui; this script only says which page it is.
"""

from cbec import dataui, ui

ui.entrypoint_first()
dataui.page()
