"""Saddle Lab: the entry script only declares the navigation (pages live in app/views)."""

from pathlib import Path
import sys

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT.parent) not in sys.path:  # `streamlit run app/main.py` from a plain checkout
    sys.path.insert(0, str(ROOT.parent))

from app.components import live_plot  # noqa: E402  (light: no kernels, no figure classes)

st.set_page_config(page_title="Saddle Lab", page_icon="🐴", layout="wide")

# (section, file in app/views, title, icon); pages appear in the deck's order.  The folder is
# not called pages/: Streamlit would then discover it on its own and serve a shared deep link
# (/explorer?...) of a new session without this navigation.
PAGES = [
    ("Introduction", "home.py", "Home", ":material/home:"),
    ("Introduction", "stories.py", "Stories", ":material/auto_stories:"),
    ("Introduction", "critical_points.py", "Critical points", ":material/my_location:"),
    ("Theoretical landscape", "random_landscapes.py", "Random landscapes", ":material/scatter_plot:"),
    ("Practical landscape", "linear_networks.py", "Linear networks", ":material/hub:"),
    ("Optimizers near saddle points", "explorer.py", "Saddle explorer", ":material/route:"),
    ("Optimizers near saddle points", "phase_diagram.py", "Phase diagrams", ":material/grid_on:"),
    ("Saddle-free algorithm", "saddle_free_derivation.py", "The saddle-free algorithm", ":material/functions:"),
    ("Results", "saddle_free_nd.py", "Saddle-free in N dimensions", ":material/trending_down:"),
    ("Appendix", "natural_gradient.py", "Natural gradient and the Fisher matrix", ":material/insights:"),
    ("Appendix", "lanczos.py", "Power iteration and Lanczos", ":material/stacked_line_chart:"),
]

# Pages whose figures are live plots: the browser starts loading Plotly.js at once, while the
# server imports the kernels (on a cold server that overlap is about a second).
LIVE_PLOT_PAGES = ("stories", "explorer")  # URL paths: the files' names

sections: dict[str, list] = {}
for section, file, title, icon in PAGES:
    page = st.Page(str(ROOT / "views" / file), title=title, icon=icon, default=file == "home.py")
    sections.setdefault(section, []).append(page)
current = st.navigation(sections)
if current.url_path in LIVE_PLOT_PAGES:
    live_plot.preload()

from app.components.common import warm_up  # noqa: E402  (imports the compiled kernels)
from app.components.presenter import presenter_toggle  # noqa: E402

with st.spinner("Loading the compiled kernels..."):
    warm_up()
presenter_toggle()

current.run()
