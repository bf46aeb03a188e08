"""The web UI of `wavecd serve`: static files (HTML, CSS, ES modules) served from the package, no build step.

The shell (`/` and `/ui/...`) is public — it holds no data and no secret; every piece of data it shows comes
from the JSON API with the bearer token the user pasted in. See docs/ui.md.
"""

from wavecd.server.ui.routes import ui_routes

__all__ = ["ui_routes"]
