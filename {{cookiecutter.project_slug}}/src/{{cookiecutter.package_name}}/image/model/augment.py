"""Random changes to training batches (kornia), set in params.yaml's `augment` section.

Applied by the trainer to training batches only, on the device, after the images became floats
in [0, 1]; validation and test images are never changed.
"""

from __future__ import annotations

from torch import nn

from .params import AugmentParams


def build_augmentation(params: AugmentParams) -> nn.Module | None:
    """The augmentation pipeline, or None when it is disabled or changes nothing."""
    import kornia.augmentation as K  # noqa: N812 - kornia's own convention

    if not params.enabled:
        return None
    steps: list[nn.Module] = []
    if params.horizontal_flip:
        steps.append(K.RandomHorizontalFlip(p=0.5))
    if params.rotation or params.translate or params.scale != (1.0, 1.0):
        steps.append(
            K.RandomAffine(
                degrees=params.rotation,
                translate=(params.translate, params.translate) if params.translate else None,
                scale=params.scale if params.scale != (1.0, 1.0) else None,
                p=1.0,
            )
        )
    if params.erasing:
        steps.append(K.RandomErasing(scale=(0.02, 0.1), p=params.erasing))
    return nn.Sequential(*steps) if steps else None
