"""The Streamlit app: predict one record from a form or a whole CSV, and see how good the model is.

Start it with `{{ cookiecutter.project_slug }} ui` (or `make ui`). It predicts with the model in
MODEL_DIR, loaded in the app{% if cookiecutter.include_api == "yes" %}, or through the prediction API when API_URL is set{% endif %}.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from {{ cookiecutter.package_name }} import DESCRIPTION, TITLE
from {{ cookiecutter.package_name }}.errors import ProjectError
from {{ cookiecutter.package_name }}.report import read_metrics, results_table
from {{ cookiecutter.package_name }}.schema import Feature, InputSchema
from {{ cookiecutter.package_name }}.ui import outputs
from {{ cookiecutter.package_name }}.ui.backend import Backend, connect
from {{ cookiecutter.package_name }}.ui.settings import UISettings
from {{ cookiecutter.package_name }}.ui.upload import check_columns, read_csv

MISSING_HELP = "The model fills them in as in training (median, or most frequent category)."


@st.cache_resource(
    show_spinner="Loading the model…", hash_funcs={UISettings: UISettings.model_dump_json}
)
def load_backend(settings: UISettings) -> Backend:
    """The prediction backend, created once per process for these settings."""
    return connect(settings)


@st.cache_data(show_spinner=False)
def load_reports(reports_dir: Path, stamp: float) -> dict[str, Any] | None:
    """metrics.json, the model card and the figures, or None before the first evaluation.

    `stamp` (the metrics file's mtime) is part of the cache key, so a new evaluation shows up.
    """
    try:
        metrics = read_metrics(reports_dir / "metrics.json")
    except ProjectError:
        return None
    card = reports_dir / "model_card.md"
    return {
        "metrics": metrics,
        "card": card.read_text(encoding="utf-8") if card.is_file() else None,
        "figures": sorted(str(path) for path in (reports_dir / "figures").glob("*.png")),
    }


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


def _step(feature: Feature) -> float:
    """A step of about a hundredth of the training range, rounded to a power of ten."""
    span = (feature.maximum or 0.0) - (feature.minimum or 0.0)
    return 10.0 ** math.floor(math.log10(span / 100)) if span > 0 else 0.01


def feature_input(feature: Feature, example: Any) -> Any:
    """One form widget for a feature: bounded number, or a select of the training categories."""
    key = f"feature:{feature.name}"
    if feature.kind == "category":
        options = list(feature.categories)
        index = options.index(str(example)) if str(example) in options else 0
        return st.selectbox(feature.name, options, index=index, key=key)
    low, high = feature.minimum or 0.0, feature.maximum or 0.0
    value = min(max(float(example), low), high) if example is not None else low
    bounds = f"Seen in training: {low:g} to {high:g}."
    if feature.integer:
        return st.number_input(
            feature.name, int(low), int(high), round(value), step=1, help=bounds, key=key
        )
    step = _step(feature)
    decimals = max(0, -math.floor(math.log10(step)))
    return st.number_input(
        feature.name, low, high, value, step=step, format=f"%.{decimals}f", help=bounds, key=key
    )


def predict_page(backend: Backend) -> None:
    """A form built from the input schema; the prediction beside it."""
    schema: InputSchema = backend.schema
    form_column, result_column = st.columns([3, 2], gap="large")
    with form_column, st.form("predict"):
        values = {f.name: feature_input(f, schema.example.get(f.name)) for f in schema.features}
        nullable = [feature.name for feature in schema.features if feature.nullable]
        unknown = (
            st.multiselect("Unknown values", nullable, key="missing", help=MISSING_HELP)
            if nullable
            else []
        )
        submitted = st.form_submit_button("Predict", type="primary", key="predict")
    if not submitted:
        result_column.info("Fill in the form and press **Predict**.")
        return
    record = {name: None if name in unknown else value for name, value in values.items()}
    try:
        (prediction,) = backend.predict([record])
    except ProjectError as error:
        result_column.error(str(error))
        return
    with result_column:
        outputs.show(prediction, schema.target)


def batch_page(backend: Backend) -> None:
    """Upload a CSV, see its predictions, download them."""
    schema = backend.schema
    st.write(
        "Upload a CSV file with one row per record and these columns: "
        + ", ".join(f"`{name}`" for name in schema.names)
        + ". Other columns are kept in the download."
    )
    example = pd.DataFrame([schema.example], columns=schema.names)
    st.download_button(
        "Example CSV", example.to_csv(index=False), "example.csv", "text/csv", key="example"
    )
    upload = st.file_uploader("CSV file", type=["csv"], key="batch")
    if upload is None:
        return
    try:
        frame = read_csv(upload.getvalue(), upload.name)
        check_columns(frame, schema, upload.name)
        with st.spinner(f"Predicting {len(frame)} rows…"):
            result = backend.predict_frame(frame)
    except ProjectError as error:
        st.error(str(error))
        return
    st.success(f"{len(result)} predictions")
    st.dataframe(result, hide_index=True)
    st.download_button(
        "Download predictions (CSV)",
        result.to_csv(index=False),
        f"{Path(upload.name).stem}-predictions.csv",
        "text/csv",
        type="primary",
        key="download",
    )


def model_page(backend: Backend, reports_dir: Path) -> None:
    """Metrics beside the dummy baseline, the evaluation figures, and the model card."""
    metadata = backend.metadata
    st.write(
        f"`{metadata.get('model')}` version `{metadata.get('version')}`, trained "
        f"{metadata.get('trained_at')} on {metadata.get('train_rows')} rows "
        f"(data `{metadata.get('data_hash')}`)."
    )
    reports = load_reports(reports_dir, _mtime(reports_dir / "metrics.json"))
    if reports is None:
        st.info(f"No evaluation in `{reports_dir}` yet: run the pipeline (`make pipeline`).")
        return
    st.subheader("Test metrics")
    st.markdown(results_table(reports["metrics"]))
    if reports["figures"]:
        st.subheader("Figures")
        columns = st.columns(2)
        for position, figure in enumerate(reports["figures"]):
            caption = Path(figure).stem.replace("_", " ").capitalize()
            columns[position % 2].image(figure, caption=caption)
    if reports["card"]:
        with st.expander("Model card"):
            st.markdown(reports["card"])


def main() -> None:
    """Lay out the page and its three tabs."""
    st.set_page_config(page_title=TITLE, layout="wide")
    st.title(TITLE)
    st.caption(DESCRIPTION)
    settings = UISettings()
    try:
        backend = load_backend(settings)
    except ProjectError as error:
        st.error(str(error))
        st.stop()
    st.sidebar.markdown(f"**Predictions from** {backend.source}.")
    st.sidebar.markdown(
        f"**Model** `{backend.metadata.get('model')}` `{backend.metadata.get('version')}`"
    )
    predict, batch, model = st.tabs(["Predict", "Batch", "Model"])
    with predict:
        predict_page(backend)
    with batch:
        batch_page(backend)
    with model:
        model_page(backend, settings.reports_dir)


if __name__ == "__main__":
    main()
