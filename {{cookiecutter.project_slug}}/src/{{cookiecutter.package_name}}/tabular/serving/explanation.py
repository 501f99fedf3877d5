"""A tabular prediction's explanation: its API type, its table columns and the app's chart.

The numbers come from `model.contributions` (exact SHAP values, summed back to the input
columns); each task's `outputs` module adds what its explanations are about.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..model.contributions import Contributions

OUTPUTS = {
    "margin": "margin (raw score)",
    "probability": "probability",
    "value": "predicted value",
}


class Explanation(BaseModel):
    """How far each input column moved this prediction from the model's average output.

    base_value + the sum of the contributions = the explained output, exactly (to the float
    precision of the model: XGBoost works in 32-bit floats).
    """

    output: Literal["margin", "probability", "value"] = Field(
        description="What base_value + contributions add up to: the model's raw output, "
        "'margin' (its score before the link function), 'probability' or 'value'."
    )
    base_value: float = Field(
        description="The model's average output over its training data, before any input is known."
    )
    contributions: dict[str, float] = Field(
        description="One per input column, named as in the request (one-hot encoded columns "
        "summed back): how far that column moved the output from base_value (SHAP values)."
    )
    method: str = Field(description="How the contributions were computed.")


def rows(contributions: Contributions, columns: Sequence[str]) -> list[dict[str, Any]]:
    """One explanation (as a mapping) per row of `contributions`."""
    return [
        {
            "output": contributions.output,
            "base_value": base,
            "contributions": dict(zip(columns, values, strict=True)),
            "method": contributions.method,
        }
        for base, values in zip(
            contributions.base.tolist(), contributions.values.tolist(), strict=True
        )
    ]


def columns(explanations: Sequence[Explanation]) -> dict[str, list[Any]]:
    """Table columns: the output explained, its base value, and one contribution per column."""
    table: dict[str, list[Any]] = {
        "explained_output": [e.output for e in explanations],
        "base_value": [e.base_value for e in explanations],
    }
    for name in explanations[0].contributions if explanations else ():
        table[f"contribution_{name}"] = [e.contributions[name] for e in explanations]
    return table


def show(explanation: Explanation, what: str) -> None:
    """A bar per input column, largest effect first, and how the numbers add up."""
    import pandas as pd
    import streamlit as st

    values = explanation.contributions
    total = explanation.base_value + sum(values.values())
    if not any(values.values()):
        st.info(f"Nothing to explain: {explanation.method}.")
        return
    st.markdown(f"**Why:** what each input did to the {what}")
    chart = pd.DataFrame({"input": list(values), "contribution": list(values.values())})
    chart["effect"] = ["raises it" if value >= 0 else "lowers it" for value in values.values()]
    chart = chart.iloc[chart["contribution"].abs().argsort()[::-1]]
    st.bar_chart(chart, x="input", y="contribution", color="effect", horizontal=True, sort=False)
    st.caption(
        f"{explanation.base_value:.4g} (its average over the training data) + these "
        f"contributions = {total:.4g}. Method: {explanation.method}."
    )
