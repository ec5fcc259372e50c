"""Data and sources: the whole dataset, its dictionary, the State Council replies, how the
points were made, caveats and downloads.

The parts live in cbec.ui.data_and_sources; this script only says which page it is.
"""

from cbec.ui import data_and_sources, shared

shared.entrypoint_first()
data_and_sources.page(shared.current())
