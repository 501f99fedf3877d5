"""The app's text widgets: a text box with example reviews, bars of probabilities, shaded words.

Streamlit is imported here only: the API image installs none of it.
"""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

from ..model.predictor import TextSpec
from .outputs import Prediction, TokenAttributions
from .records import TEXT_COLUMN

TEXT_KEY = "text_input"


def _use_example(text: str) -> None:
    st.session_state[TEXT_KEY] = text


def text_form(spec: TextSpec) -> dict[str, Any] | None:
    """A text to classify, typed or one of the test examples; None until one is given."""
    if spec.examples:
        st.caption("Try a review from the test split:")
        columns = st.columns(min(3, len(spec.examples)))
        for index, example in enumerate(spec.examples):
            shown = example.text if len(example.text) <= 60 else example.text[:57] + "…"
            columns[index % len(columns)].button(
                shown, key=f"example-{index}", help=f"labelled {example.label}",
                on_click=_use_example, args=(example.text,), use_container_width=True,
            )  # fmt: skip
    with st.form("text"):
        text = st.text_area("Text", key=TEXT_KEY, height=140, max_chars=spec.max_chars,
                            placeholder="A review, a message, a sentence…")  # fmt: skip
        submitted = st.form_submit_button("Predict", type="primary")
    if not submitted and not text:
        return None
    return {TEXT_COLUMN: text}


def show_prediction(prediction: Prediction, spec: TextSpec) -> None:
    """The label, its probability, and every class's probability as bars."""
    import pandas as pd

    st.markdown(f"**{prediction.label}** ({prediction.probability:.1%})")
    chart = pd.DataFrame(
        {"probability": [c.probability for c in prediction.probabilities]},
        index=pd.Index([c.label for c in prediction.probabilities], name="class"),
    )
    st.bar_chart(chart, horizontal=True, height=40 + 30 * len(chart))


def _colour(value: float, scale: float) -> str:
    """Green for words that speak for the class, red against, paler for smaller effects."""
    strength = min(abs(value) / scale, 1.0) if scale else 0.0
    rgb = "34, 139, 34" if value >= 0 else "220, 20, 60"
    return f"rgba({rgb}, {0.08 + 0.6 * strength:.2f})"


def highlighted(explanation: TokenAttributions) -> str:
    """The words as HTML spans shaded by attribution (every word escaped)."""
    scale = max((abs(w.attribution) for w in explanation.words), default=0.0)
    spans = [
        f'<span title="{w.attribution:+.3f}" style="background: {_colour(w.attribution, scale)}; '
        f'padding: 1px 3px; border-radius: 3px">{html.escape(w.word)}</span>'
        for w in explanation.words
    ]
    return " ".join(spans)


def show_attributions(explanation: TokenAttributions, spec: TextSpec) -> None:
    """The text with each word shaded by how much it moved the explained class."""
    st.markdown(
        f"What '{explanation.target}' rests on: green words speak for it, red against "
        "(each word's effect when left out)."
    )
    st.markdown(highlighted(explanation), unsafe_allow_html=True)
