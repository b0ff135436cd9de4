"""Saddle Lab: the entry script only declares the navigation (pages live in app/pages)."""

from pathlib import Path
import sys

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT.parent) not in sys.path:  # `streamlit run app/main.py` from a plain checkout
    sys.path.insert(0, str(ROOT.parent))

from app.components.common import warm_up  # noqa: E402

st.set_page_config(page_title="Saddle Lab", page_icon="🐴", layout="wide")

# (section, file, title, icon); pages appear in the deck's order.
PAGES = [
    ("Optimizers near saddle points", "explorer.py", "Saddle explorer", ":material/route:"),
    ("Theoretical landscape", "random_landscapes.py", "Random landscapes", ":material/scatter_plot:"),
    ("Practical landscape", "linear_networks.py", "Linear networks", ":material/hub:"),
    ("Results", "saddle_free_nd.py", "Saddle-free in N dimensions", ":material/trending_down:"),
    ("Appendix", "lanczos.py", "Power iteration and Lanczos", ":material/functions:"),
]

sections: dict[str, list] = {}
for section, file, title, icon in PAGES:
    path = ROOT / "pages" / file
    if path.exists():
        sections.setdefault(section, []).append(st.Page(str(path), title=title, icon=icon))

with st.spinner("Loading the compiled kernels..."):
    warm_up()

st.navigation(sections).run()
