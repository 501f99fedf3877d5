"""Reading one image into the array a model takes: decoded, checked, converted, resized.

The one place that turns image files or bytes into pixels, for `prepare` (the raw folder), the
API, the app and `predict`, so a model sees the same pixels in training and in use. Pure
Pillow and NumPy. Every refusal is an `ImageError` naming the image and what is wrong with it,
with the HTTP status the API answers it with.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from ...core.errors import DataValidationError

# Formats a user's images may have, by Pillow's name, and the file suffixes they go by.
FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "BMP": "BMP"}
SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
FORMAT_LIST = "PNG, JPEG, WebP or BMP"
# Pillow refuses images with more pixels than this (a "decompression bomb": a small file that
# decodes to gigabytes). 40 megapixels is a large photo.
MAX_PIXELS = 40_000_000


class ImageError(DataValidationError):
    """An image that cannot be used; `status` is the HTTP answer the API gives it."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ImageShape:
    """What every image becomes: `size` x `size` pixels, 1 (grayscale) or 3 (RGB) channels."""

    size: int
    channels: int

    @property
    def mode(self) -> str:
        """Pillow's mode for the channels."""
        return "L" if self.channels == 1 else "RGB"


def open_image(data: bytes, name: str, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode image bytes fully, refusing what is not a supported, sound, reasonably sized image.

    Raises:
        ImageError: 415 for a file that is no image or of an unsupported format, 413 for a
            decompression bomb, 422 for a corrupt or truncated image.
    """
    too_large = f"'{name}' is too large once decoded: the limit is {max_pixels} pixels"
    try:
        with warnings.catch_warnings():
            # Pillow warns of a decompression bomb over its own limit: refuse it like ours.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format or "unknown"
            if image_format not in FORMATS:
                raise ImageError(
                    f"'{name}' is a {image_format} image, which is not supported: send "
                    f"{FORMAT_LIST}",
                    status=415,
                )
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(f"{too_large} ({width}x{height})", status=413)
            image.load()
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(too_large, status=413) from None
    except UnidentifiedImageError:
        raise ImageError(f"'{name}' is not an image: send {FORMAT_LIST}", status=415) from None
    except (OSError, SyntaxError, ValueError) as error:
        reason = str(error) or type(error).__name__
        raise ImageError(f"'{name}' is a corrupt image: {reason}", status=422) from None
    return image


def to_array(image: Image.Image, shape: ImageShape) -> np.ndarray:
    """The image as `shape` says: (size, size, channels) uint8, resized with antialiasing.

    Transparent pixels are laid on black (the background of the bundled digits), and palette or
    16-bit images are converted like any other.
    """
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        image = Image.alpha_composite(background, rgba)
    converted = image.convert(shape.mode)
    if converted.size != (shape.size, shape.size):
        converted = converted.resize((shape.size, shape.size), Image.Resampling.BILINEAR)
    pixels = np.array(converted, dtype=np.uint8)  # a writable copy (PyTorch shares it)
    return pixels.reshape(shape.size, shape.size, shape.channels)


def decode(data: bytes, name: str, shape: ImageShape, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Image bytes → the model's pixels (see `open_image` for what is refused)."""
    return to_array(open_image(data, name, max_pixels), shape)


def encode_png(pixels: np.ndarray) -> bytes:
    """Pixels (size, size, channels) uint8 as PNG bytes (examples, exported data)."""
    array = pixels[:, :, 0] if pixels.shape[-1] == 1 else pixels
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()
