"""The map page: zones by batch on a map of China, the headline, filters, details, summary, table.

The parts live in cbec.ui.map; this script only says which page it is.
"""

from cbec.ui import map as map_page
from cbec.ui import shared

shared.entrypoint_first()
map_page.page(shared.current())
