"""Decoding one image: what is refused (with the API's status), and what every image becomes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.image.model.images import ImageError, ImageShape, decode

from helpers import image_bytes

GRAY8 = ImageShape(8, 1)


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP"])
def test_every_supported_format_becomes_the_model_shape(fmt: str) -> None:
    pixels = decode(image_bytes((30, 14), mode="RGB", fmt=fmt), "x", GRAY8)
    assert pixels.shape == (8, 8, 1)
    assert pixels.dtype == np.uint8
    assert decode(image_bytes(mode="L", fmt=fmt), "x", ImageShape(5, 3)).shape == (5, 5, 3)


def test_transparent_pixels_lie_on_black() -> None:
    clear = Image.new("RGBA", (8, 8), (255, 255, 255, 0))
    assert decode(encoded(clear, "PNG"), "clear.png", GRAY8).max() == 0


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"just text", 415, r"'x' is not an image: send PNG, JPEG, WebP or BMP"),
        (encoded(Image.new("L", (4, 4)), "GIF"), 415, r"'x' is a GIF image, which is not"),
        (image_bytes()[:60], 422, r"'x' is a corrupt image: "),
        (encoded(Image.new("L", (300, 300)), "PNG"), 413,
         r"'x' is too large once decoded: the limit is 1000 pixels \(300x300\)"),
    ],
    ids=["text", "gif", "truncated", "too-many-pixels"],
)  # fmt: skip
def test_refusals_name_the_image_and_carry_the_status(
    data: bytes, status: int, message: str
) -> None:
    with pytest.raises(ImageError, match=message) as refused:
        decode(data, "x", GRAY8, max_pixels=1000)
    assert refused.value.status == status
