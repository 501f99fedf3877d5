"""The app's input form for one record, built from the model's input schema."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from ..model.schema import Feature, InputSchema

MISSING_HELP = "The model fills them in as in training (median, or most frequent category)."


def _step(feature: Feature) -> float:
    """A step of about a hundredth of the training range, rounded to a power of ten."""
    span = (feature.maximum or 0.0) - (feature.minimum or 0.0)
    return 10.0 ** math.floor(math.log10(span / 100)) if span > 0 else 0.01


def feature_input(feature: Feature, default: Any) -> Any:
    """One form widget for a feature: a number, or a select of the training categories.

    Numbers start at the training median and may leave the training range: the prediction
    then warns.
    """
    key = f"feature:{feature.name}"
    label = feature.label or feature.name
    if feature.kind == "category":
        options = list(feature.categories)
        index = options.index(str(default)) if str(default) in options else 0
        return st.selectbox(label, options, index=index, key=key)
    low, high = feature.minimum or 0.0, feature.maximum or 0.0
    value = float(default) if default is not None else low
    bounds = (
        f"Seen in training: {low:g} to {high:g} (the form starts at the median); "
        "other values get a warning."
    )
    if feature.integer:
        return st.number_input(label, value=round(value), step=1, help=bounds, key=key)
    step = _step(feature)
    decimals = max(0, -math.floor(math.log10(step)))
    return st.number_input(
        label, value=value, step=step, format=f"%.{decimals}f", help=bounds, key=key
    )


def record_form(schema: InputSchema) -> dict[str, Any] | None:
    """A form with one widget per feature, starting at typical values; the record once submitted."""
    defaults = schema.typical_record()
    with st.form("predict"):
        values = {f.name: feature_input(f, defaults[f.name]) for f in schema.features}
        labels = {feature.name: feature.label or feature.name for feature in schema.features}
        nullable = [feature.name for feature in schema.features if feature.nullable]
        unknown = (
            st.multiselect(
                "Unknown values",
                nullable,
                format_func=labels.__getitem__,
                key="missing",
                help=MISSING_HELP,
            )
            if nullable
            else []
        )
        submitted = st.form_submit_button("Predict", type="primary", key="predict")
    if not submitted:
        return None
    return {name: None if name in unknown else value for name, value in values.items()}
