"""The Streamlit app: predict one input from a form or a whole CSV, and see how good the model is.

Start it with `{{ cookiecutter.project_slug }} ui` (or `make ui`). It predicts with the model in
MODEL_DIR, loaded in the app (or through the prediction API, where the project has one and
API_URL is set). The task family supplies the form and the views of a prediction and of its
explanation; the app shows each prediction's warnings beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from {{ cookiecutter.package_name }} import DESCRIPTION, TITLE
from {{ cookiecutter.package_name }}.core.errors import ProjectError
from {{ cookiecutter.package_name }}.core.reports import (
    FIGURES_DIR,
    METRICS_FILE,
    MODEL_CARD_FILE,
    read_metrics,
    results_table,
)
from {{ cookiecutter.package_name }}.serving.ui.backend import Backend, connect, load_settings
from {{ cookiecutter.package_name }}.serving.ui.settings import UISettings
from {{ cookiecutter.package_name }}.serving.ui.upload import read_csv
from {{ cookiecutter.package_name }}.task import (
    WARNINGS_COLUMN,
    Answer,
    ServingFamily,
    load_serving,
)


@st.cache_resource(show_spinner="Loading the model…")
def load_backend(_settings: UISettings, key: str) -> Backend:
    """The prediction backend, created once per process for each `key` (the settings' JSON)."""
    return connect(_settings)


@st.cache_data(show_spinner=False)
def load_reports(reports_dir: Path, stamp: float) -> dict[str, Any] | None:
    """metrics.json, the model card and the figures, or None before the first evaluation.

    `stamp` (the metrics file's mtime) is part of the cache key, so a new evaluation shows up.
    """
    try:
        metrics = read_metrics(reports_dir / METRICS_FILE)
    except ProjectError:
        return None
    card = reports_dir / MODEL_CARD_FILE
    return {
        "metrics": metrics,
        "card": card.read_text(encoding="utf-8") if card.is_file() else None,
        "figures": sorted(str(path) for path in (reports_dir / FIGURES_DIR).glob("*.png")),
    }


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


def answer(backend: Backend, record: dict[str, Any]) -> tuple[Answer, str | None]:
    """The record's explained prediction; or its bare prediction and why it has no explanation.

    Raises:
        ProjectError: the record cannot be predicted (the message names what is wrong).
    """
    try:
        (prediction,) = backend.explain([record])
        return prediction, None
    except ProjectError as error:
        unexplained = str(error)
    (prediction,) = backend.predict([record])  # raises the record's own error, if it has one
    return prediction, unexplained


def predict_page(backend: Backend, serving: ServingFamily) -> None:
    """The family's input form; the prediction, its warnings and its explanation beside it."""
    form_column, result_column = st.columns([3, 2], gap="large")
    with form_column:
        given = serving.input_form(backend.spec)
    if given is None:
        result_column.info("Fill in the form and press **Predict**.")
        return
    records = given if isinstance(given, list) else [given]
    try:
        answers = [answer(backend, record) for record in records]
    except ProjectError as error:
        result_column.error(str(error))
        return
    with result_column:
        for prediction, unexplained in answers:
            serving.show(prediction, backend.spec)
            for warning in prediction.warnings:
                st.warning(warning, icon="⚠️")
            if prediction.explanation is not None:
                serving.show_explanation(prediction.explanation, backend.spec)
            elif unexplained is not None:
                st.caption(f"No explanation: {unexplained}")


def batch_page(backend: Backend, serving: ServingFamily) -> None:
    """Upload a CSV, see its predictions, download them."""
    st.write(serving.upload_help(backend.spec))
    st.download_button(
        "Example CSV", serving.example_csv(backend.spec), "example.csv", "text/csv", key="example"
    )
    explain = st.checkbox(
        "Explain each prediction",
        key="explain",
        help="Adds the explained output, its base value and one contribution column per input "
        "column (base value + contributions = that output).",
    )
    limit = st.get_option("server.maxUploadSize")
    upload = st.file_uploader(f"CSV file (up to {limit} MB)", type=["csv"], key="batch")
    if upload is None:
        return
    try:
        frame = read_csv(upload.getvalue(), upload.name)
    except ProjectError as error:
        st.error(str(error))
        return
    try:
        with st.spinner(f"Predicting {len(frame)} rows…"):
            result = backend.predict_frame(frame, explain=explain)
    except ProjectError as error:
        st.error(f"{upload.name}: {error}")
        return
    st.success(f"{len(result)} predictions")
    if WARNINGS_COLUMN in result.columns and (flagged := int(result[WARNINGS_COLUMN].ne("").sum())):
        st.warning(
            f"{flagged} of {len(result)} rows have inputs outside the training data: see "
            f"their `{WARNINGS_COLUMN}` column.",
            icon="⚠️",
        )
    st.dataframe(result, hide_index=True)
    st.download_button(
        "Download predictions (CSV)",
        result.to_csv(index=False),
        f"{Path(upload.name).stem}-predictions.csv",
        "text/csv",
        type="primary",
        key="download",
    )


def model_page(backend: Backend, serving: ServingFamily, reports_dir: Path) -> None:
    """Metrics beside the dummy baseline, the evaluation figures, and the model card."""
    metadata = backend.metadata
    st.write(
        f"`{metadata.get('model')}` version `{metadata.get('version')}`, trained "
        f"{metadata.get('trained_at')} on {metadata.get('train_rows')} rows "
        f"(data `{metadata.get('data_hash')}`)."
    )
    reports = load_reports(reports_dir, _mtime(reports_dir / METRICS_FILE))
    if reports is None:
        st.info(f"No evaluation in `{reports_dir}` yet: run the pipeline (`make pipeline`).")
        return
    st.subheader("Test metrics")
    st.markdown(results_table(reports["metrics"], serving.scoring))
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
    settings = load_settings()
    serving = load_serving()
    try:
        backend = load_backend(settings, f"{type(settings).__name__}{settings.model_dump_json()}")
    except ProjectError as error:
        st.error(str(error))
        st.stop()
    st.sidebar.markdown(f"**Predictions from** {backend.source}.")
    st.sidebar.markdown(
        f"**Model** `{backend.metadata.get('model')}` `{backend.metadata.get('version')}`"
    )
    predict, batch, model = st.tabs(["Predict", "Batch", "Model"])
    with predict:
        predict_page(backend, serving)
    with batch:
        batch_page(backend, serving)
    with model:
        model_page(backend, serving, settings.reports_dir)


if __name__ == "__main__":
    main()
