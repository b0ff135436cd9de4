"""Export figures and trajectories: PNG/SVG/PDF, interactive HTML, animated GIF, CSV and JSON.

A library (no Streamlit): the app's download buttons, notebooks and ``saddle-lab-export``
(app/export_cli.py) call it.  Its modules, in reading order:

- ``static``: one persistent kaleido server (headless Chrome/Chromium) per process, its
  watchdog, and PNG/SVG/PDF.  Every failure there is an :class:`ExportUnavailable`.
- ``html``: a self-contained interactive HTML page.
- ``gif``: animated GIFs, a background rendered once with the moving traces drawn on it;
  its parts are ``frames`` (reading the animation), ``calibration`` (data to pixels),
  ``drawing`` (scatter traces with Pillow) and ``palette``.
- ``data``: trajectories as CSV with a parameter header, and as JSON.
- ``figure``: the figure helpers they share.
"""

from app.export.data import csv_parameters, trajectories_to_csv, trajectories_to_json
from app.export.gif import animation_to_gif
from app.export.html import figure_to_html
from app.export.static import (IMAGE_FORMATS, ExportUnavailable, figure_to_image, find_browser,
                               warm_up)

__all__ = [
    "ExportUnavailable",
    "IMAGE_FORMATS",
    "animation_to_gif",
    "csv_parameters",
    "figure_to_html",
    "figure_to_image",
    "find_browser",
    "trajectories_to_csv",
    "trajectories_to_json",
    "warm_up",
]
