"""AppTest of the Stories page: it loads, Next / Previous / the contents move through a story
and the banner follows, the query parameters hold the place, a malformed link falls back with
warnings, a scene's notice names the controls it changed, and predict-then-reveal draws
nothing until the question is answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from plotly_json import chart_specs, live_figures

from app.components.scenes import SCENES
from app.components.stories import STORIES

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "views" / "stories.py")


def _app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _banner(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "· step" in m.value)


def _notice(at: AppTest) -> str:
    return next(i.value for i in at.info if i.value.startswith("**Scene loaded.**"))


def _charts(at: AppTest) -> list[dict]:
    """The scene (a live plot) first, then the panels' charts."""
    return list(live_figures(at).values()) + chart_specs(at)


def _path_names(at: AppTest) -> set[str]:
    return {d["name"] for d in _charts(at)[0]["data"] if str(d.get("name", "")).endswith(" path")}


def test_page_loads_on_the_first_step_of_the_first_story():
    at = _app()
    assert not at.error and not at.warning
    assert at.title[0].value == "Stories"
    assert _banner(at) == "**Escaping a saddle** · step 1 of 4: **Gradient descent leaves a saddle**"
    assert any(m.value.startswith("**Observe:** On the |ε| plot") for m in at.markdown)
    assert dict(at.query_params) == {"story": "escaping", "step": "1"}
    charts = _charts(at)
    assert charts[0]["data"][0]["type"] == "contour" and len(charts[0]["frames"]) == 101
    assert _path_names(at) == {"Gradient descent path"}
    # arriving from the explorer's default scene: only the methods changed
    assert _notice(at) == ("**Scene loaded.** Changed: methods: − Newton, − Damped Newton, "
                           "− Saddle-free Newton.")
    assert at.button(key="stories_previous").disabled and not at.button(key="stories_next").disabled


def test_next_and_previous_move_the_banner_the_notice_and_the_query():
    at = _app({"story": "damping"})
    assert "step 1 of 5: **Damped Newton with the slides' m**" in _banner(at)
    at.button(key="stories_next").click().run()
    assert "step 2 of 5: **Damped Newton: slowed by m**" in _banner(at)
    assert dict(at.query_params) == {"story": "damping", "step": "2"}
    assert _notice(at) == ("**Scene loaded.** Changed: λ₂: -1 → -0.1, methods: + Saddle-free "
                           "Newton, Damped Newton m: auto → 1.")
    assert _path_names(at) == {"Damped Newton path", "Saddle-free Newton path"}
    at.button(key="stories_previous").click().run()
    assert "step 1 of 5" in _banner(at)
    assert _notice(at) == ("**Scene loaded.** Changed: λ₂: -0.1 → -1, methods: − Saddle-free "
                           "Newton, Damped Newton m: 1 → auto.")
    # a rerun of the same step keeps its notice
    at.run()
    assert "λ₂: -0.1 → -1" in _notice(at)


def test_contents_jump_and_the_last_step_disables_next():
    at = _app({"story": "damping"})
    at.button(key="stories_toc_4").click().run()
    assert "step 5 of 5: **Just above the threshold**" in _banner(at)
    assert at.button(key="stories_next").disabled
    assert "Damped Newton m: auto → 0.6" in _notice(at)


def test_choosing_a_story_starts_it_at_step_1():
    at = _app({"story": "newton", "step": "4"})
    assert "step 4 of 4" in _banner(at)
    at.selectbox(key="stories_story").set_value("plateaus").run()
    assert "**Plateaus of linear networks and the natural gradient** · step 1 of 5" in _banner(at)
    assert dict(at.query_params) == {"story": "plateaus", "step": "1"}


def test_malformed_story_query_gives_warnings_and_the_defaults():
    at = _app({"story": "no-such-story", "step": "banana"})
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("Link parameter story: 'no-such-story' is not a story") for w in warnings)
    assert any("step: 'banana' must be a whole number from 1 to 4" in w for w in warnings)
    assert "**Escaping a saddle** · step 1 of 4" in _banner(at)
    assert dict(at.query_params) == {"story": "escaping", "step": "1"}

    at = _app({"story": "damping", "step": "99"})
    assert any("step: '99' must be a whole number from 1 to 5" in w.value for w in at.warning)
    assert "step 1 of 5" in _banner(at)


def test_predict_then_reveal_draws_nothing_until_answered():
    at = _app({"story": "newton", "step": "1"})
    assert _charts(at) == []  # no figure before the answer
    radio = at.radio(key="stories_answer_newton_0")
    assert radio.value is None and radio.index is None
    assert radio.options[0] == "On the saddle, after one step"
    assert at.button(key="stories_reveal").disabled
    assert any("predict first" in m.value for m in at.markdown)

    radio.set_value(1).run()  # "Downhill along v2, like gradient descent": wrong
    assert _charts(at) == []
    at.button(key="stories_reveal").click().run()
    assert _path_names(at) == {"Gradient descent path", "Newton path"}
    assert at.warning and at.warning[0].value.startswith("**Not quite:** you said “Downhill")
    assert "Newton: saddle after 1 step)" in at.warning[0].value
    assert any(m.value.startswith("**Observe:** Newton jumps onto the saddle") for m in at.markdown)

    at.button(key="stories_ask_again").click().run()
    assert _charts(at) == [] and at.radio(key="stories_answer_newton_0").value is None
    at.radio(key="stories_answer_newton_0").set_value(0).run()
    at.button(key="stories_reveal").click().run()
    assert at.success and at.success[0].value.startswith("**Right.** On the saddle, after one step")
    assert len(_charts(at)) == 2  # the scene and its |eps| panel


@pytest.mark.parametrize("slug, step", [("damping", 3), ("plateaus", 4), ("degenerate", 1)])
def test_the_right_answer_of_each_prediction_is_the_outcome(slug, step):
    named = STORIES[slug].steps[step - 1].scene
    at = _app({"story": slug, "step": str(step)})
    at.radio(key=f"stories_answer_{slug}_{step - 1}").set_value(named.prediction.correct).run()
    at.button(key="stories_reveal").click().run()
    assert at.success and not at.warning and not at.error


def test_every_step_of_every_story_runs_without_error():
    at = _app()
    for slug, story in STORIES.items():
        at.selectbox(key="stories_story").set_value(slug).run()
        for k in range(len(story)):
            assert not at.exception, (slug, k, [e.value for e in at.exception])
            assert not at.error, (slug, k, [e.value for e in at.error])
            assert f"step {k + 1} of {len(story)}" in _banner(at)
            step = story.steps[k]
            assert f"**{step.title}**" in _banner(at)
            if step.scene.prediction is None:
                assert _charts(at), (slug, k)
                assert any(m.value == f"**Observe:** {step.observe}" for m in at.markdown)
            if k < len(story) - 1:
                at.button(key="stories_next").click().run()


def test_panels_draw_the_measurements():
    at = _app({"story": "escaping", "step": "4"})
    spec = _charts(at)[1]
    measured = [d for d in spec["data"] if d["name"].endswith("measured runs")]
    assert len(measured) == 3
    assert spec["layout"]["xaxis"]["type"] == "log"

    at = _app({"story": "high_dimensions", "step": "2"})
    spec = _charts(at)[1]
    names = [d["name"] for d in spec["data"]]
    assert "theory α(ε)" in names and "where Newton stopped (the scene)" in names
    assert any(n.startswith("saddle (") for n in names)


def test_the_explorer_link_is_shown_for_a_slide():
    at = _app({"story": "newton", "step": "2"})
    codes = [c.value for c in at.code]
    assert SCENES["newton_far_start"].link in codes
