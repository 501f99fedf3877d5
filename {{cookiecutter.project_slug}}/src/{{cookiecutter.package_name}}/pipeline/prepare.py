"""The `prepare` stage: the family loads, validates and splits the raw data into `out_dir`."""

from __future__ import annotations

import logging
from pathlib import Path

from ..task import P, Prepared, TaskFamily

log = logging.getLogger(__name__)


def prepare(family: TaskFamily[P], params: P, out_dir: Path) -> Prepared:
    """Write the train and test splits (and what describes them) to `out_dir`."""
    prepared = family.prepare(params, out_dir)
    log.info(
        "prepared %d train and %d test rows in %s (data %s)",
        prepared.train_rows, prepared.test_rows, out_dir, prepared.data_hash,
    )  # fmt: skip
    return prepared
