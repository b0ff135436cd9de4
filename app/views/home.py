"""Home: the deck's sections, in its order, each mapped to the pages that teach it."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.components.lecture import link_or_label, slide_question

PAGES = Path(__file__).resolve().parent

# (section, what the slides say, [(page file, title, icon)]) in the deck's order.
SECTIONS = [
    ("Introduction",
     "Pascanu et al. and Dauphin et al. (2014): the geometry of the error function, how optimizers "
     "behave near saddle points, and a new algorithm. The definitions: critical points, minima, "
     "maxima, saddles and degenerate (monkey) saddles, told apart by the Hessian's eigenvalues.",
     [("critical_points.py", "Critical points", ":material/my_location:"),
      ("stories.py", "Stories: guided tours of the lecture", ":material/auto_stories:")]),
    ("Cost function — theoretical landscape",
     "Bray & Dean (2007): on random high-dimensional landscapes the critical points lie on a "
     "monotone curve — the larger the error, the larger the index (fraction of negative "
     "eigenvalues). Local minima sit near the global minimum; high critical points are saddles.",
     [("random_landscapes.py", "Random landscapes", ":material/scatter_plot:")]),
    ("Cost function — practical landscape",
     "Baldi & Hornik (1989), Saxe et al. (2014), Mizutani & Dreyfus (2010): linear networks have "
     "saddles and no bad local minima; scaling symmetries create plateaus; orthogonal "
     "initialisation makes training time independent of depth.",
     [("linear_networks.py", "Linear networks", ":material/hub:")]),
    ("Behaviour of the optimization algorithms",
     "Near a saddle, each eigendirection is multiplied by a factor: gradient descent 1 − αλᵢ "
     "(escapes, slowly), Newton 1 − 1 (attracted), damped Newton m/(λᵢ + m) (slow, or still "
     "attracted), natural gradient (might not escape: see Appendix 1).",
     [("explorer.py", "Saddle explorer", ":material/route:"),
      ("phase_diagram.py", "Phase diagrams", ":material/grid_on:")]),
    ("Saddle-free algorithm",
     "The step should depend on sign(λᵢ), not on |λᵢ|: a trust region bounded by "
     "½ Δθᵀ|H|Δθ ≤ Δ gives the step −|H|⁻¹∇f.",
     [("saddle_free_derivation.py", "The saddle-free algorithm", ":material/functions:")]),
    ("Results / experiments",
     "In practice: Lanczos vectors instead of the full Hessian; saddle-free Newton against SGD and "
     "damped Newton, its advantage growing with the number of parameters.",
     [("saddle_free_nd.py", "Saddle-free in N dimensions", ":material/trending_down:")]),
    ("Appendix",
     "1: the Fisher matrix and natural gradient (positive semidefinite, and singular at the "
     "saddles of neural networks). 2: power iteration and the Lanczos algorithm.",
     [("natural_gradient.py", "Natural gradient and the Fisher matrix", ":material/insights:"),
      ("lanczos.py", "Power iteration and Lanczos", ":material/functions:")]),
]

st.title("Saddle Lab")
slide_question("In high-dimensional non-convex optimization, are local minima the problem — "
               "or saddle points?")
st.markdown(
    "An interactive companion to the lecture *Saddle Points* (after Dauphin et al. and Pascanu et "
    "al., 2014). The sections follow the slides; every page opens with the slide's question, "
    "and the slides' **Q:** prompts are *think first* boxes whose answer appears on click. "
    "**Presenter mode** (sidebar) enlarges text and figures for a projector and can hide the controls."
)

for number, (section, summary, pages) in enumerate(SECTIONS, start=1):
    with st.container(border=True, key=f"home_section_{number}"):
        st.subheader(f"{number}. {section}")
        st.markdown(summary)
        for file, title, icon in pages:
            link_or_label(PAGES / file, title, icon=icon)
