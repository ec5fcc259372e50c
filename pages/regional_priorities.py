"""Regional priorities: how the programme spread across regions and provinces, batch by batch.

The parts live in cbec.ui.regional_priorities; this script only says which page it is.
"""

from cbec.ui import regional_priorities, shared

shared.entrypoint_first()
regional_priorities.page(shared.current())
