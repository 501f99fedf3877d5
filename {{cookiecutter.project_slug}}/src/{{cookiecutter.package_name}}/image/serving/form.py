"""The app's image widgets: upload, draw or pick images; the top classes and a saliency overlay.

Streamlit (and the canvas component, and captum for the overlay) are imported here only: the
API image installs none of them.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from ...core import modeldir
from ...core.errors import ProjectError
from ...core.settings import Settings
from ..model.images import SUFFIXES, decode
from ..model.predictor import ImageModel, ImageSpec, example_data
from .outputs import Prediction

UPLOAD, DRAW, EXAMPLES = "Upload images", "Draw a digit", "Test examples"
# Images shown in this session, by name: what the result column draws and explains.
SHOWN = "image_pixels"
CANVAS_SIZE = 280


def _record(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "data": base64.b64encode(data).decode("ascii")}


def _remember(records: list[dict[str, Any]], spec: ImageSpec) -> None:
    """Keep each image's pixels for the result view (a bad image is left to the prediction)."""
    shown: dict[str, np.ndarray] = {}
    for record in records:
        try:
            shown[record["name"]] = decode(base64.b64decode(record["data"]), record["name"],
                                           spec.shape)  # fmt: skip
        except ProjectError:
            continue
    st.session_state[SHOWN] = shown


def _uploads() -> list[dict[str, Any]]:
    files = st.file_uploader(
        "Images", type=[suffix.lstrip(".") for suffix in SUFFIXES], accept_multiple_files=True,
        key="images",
    )  # fmt: skip
    return [_record(upload.name, upload.getvalue()) for upload in files or []]


def _drawing() -> list[dict[str, Any]]:
    from streamlit_drawable_canvas import st_canvas

    st.caption("Draw one digit, large and centred, in white on black.")
    canvas = st_canvas(
        stroke_width=22, stroke_color="#FFFFFF", background_color="#000000",
        height=CANVAS_SIZE, width=CANVAS_SIZE, drawing_mode="freedraw",
        return_image_data=True, key="canvas",
    )  # fmt: skip
    image = getattr(canvas, "image_data", None)
    if image is None or not np.asarray(image)[..., :3].any():
        return []
    return [_record("drawing.png", canvas.image_bytes)]


def _examples(spec: ImageSpec) -> list[dict[str, Any]]:
    if not spec.examples:
        st.info("This model was saved without example images.")
        return []
    labels = [f"{example.label} ({example.name})" for example in spec.examples]
    choice = st.radio("A test image", range(len(labels)), format_func=labels.__getitem__,
                      horizontal=True, key="example_image")  # fmt: skip
    example = spec.examples[choice]
    st.image(example_data(example), width=112, caption=f"labelled {example.label}")
    return [{"name": example.name, "data": example.data}]


def image_form(spec: ImageSpec) -> list[dict[str, Any]] | None:
    """Images from uploads, the canvas (digits only) or the test examples; None until given."""
    sources = [UPLOAD, *([DRAW] if spec.digits else []), EXAMPLES]
    source = st.radio("Images from", sources, horizontal=True, key="source")
    if source == UPLOAD:
        records = _uploads()
    elif source == DRAW:
        records = _drawing()
    else:
        records = _examples(spec)
    if not records:
        return None
    _remember(records, spec)
    return records


@st.cache_resource(show_spinner="Loading the model for explanations…")
def _explainer(model_dir: Path, stamp: float) -> ImageModel:
    """The model itself (also in API mode), for saliency maps; reloaded when it changes."""
    return ImageModel(modeldir.load(model_dir))


def _saliency(pixels: np.ndarray, label: str) -> np.ndarray | None:
    from ..model.saliency import overlay, saliency_maps

    model_dir = Settings().model_dir
    metadata = model_dir / modeldir.METADATA_FILE
    try:
        model = _explainer(model_dir, metadata.stat().st_mtime if metadata.exists() else 0.0)
    except ProjectError:
        return None
    module = model.differentiable()
    if module is None or label not in model.classes:
        return None
    target = np.asarray([model.classes.index(label)])
    maps = saliency_maps(module, pixels[None], target, steps=32)
    return overlay(pixels, maps[0])


def show_prediction(prediction: Prediction, spec: ImageSpec) -> None:
    """The image, its top classes as bars, and the pixels the prediction rests on."""
    import pandas as pd

    st.markdown(f"**{prediction.name}**: **{prediction.label}** ({prediction.probability:.1%})")
    chart = pd.DataFrame(
        {"probability": [c.probability for c in prediction.top_k]},
        index=pd.Index([c.label for c in prediction.top_k], name="class"),
    )
    st.bar_chart(chart, horizontal=True, height=40 + 30 * len(chart))
    pixels = st.session_state.get(SHOWN, {}).get(prediction.name)
    if pixels is None:
        return
    image, explained = st.columns(2)
    image.image(pixels[..., 0] if pixels.shape[-1] == 1 else pixels, width=140,
                caption="as the model sees it", clamp=True)  # fmt: skip
    heat = _saliency(pixels, prediction.label)
    if heat is not None:
        explained.image(heat, width=140, caption=f"what '{prediction.label}' rests on")
