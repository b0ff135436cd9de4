"""Colours and marker symbols shared by every figure (no Streamlit: the CLI uses them too).

Okabe & Ito's colour-blind-safe palette; yellow is left out of the method colours because it
vanishes on a white projector screen, black because it vanishes on the dark theme.
"""

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]

METHOD_COLOURS = {
    "gd": "#E69F00",
    "sgd": "#56B4E9",
    "newton": "#0072B2",
    "damped_newton": "#CC79A7",
    "natural_gradient": "#8C8C8C",
    "saddle_free": "#009E73",
    "krylov_saddle_free": "#D55E00",
}
KIND_COLOURS = {"minimum": "#009E73", "saddle": "#D55E00", "maximum": "#0072B2", "degenerate": "#CC79A7"}
KIND_SYMBOLS = {"minimum": "circle", "saddle": "x", "maximum": "triangle-up", "degenerate": "diamond"}
