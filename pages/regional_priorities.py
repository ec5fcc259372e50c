"""Regional priorities: how the programme spread across regions and provinces, batch by batch.

The parts live in cbec.prioritiesui; this script only says which page it is.
"""

from cbec import prioritiesui, ui

ui.entrypoint_first()
prioritiesui.page()
