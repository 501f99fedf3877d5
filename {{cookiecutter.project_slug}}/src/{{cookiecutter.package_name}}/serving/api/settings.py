"""The API's limits and batching knobs, read from the environment like every other setting."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from ...core.settings import Settings


class ServeSettings(Settings):
    """Settings of the prediction service (MODEL_DIR and the rest come from `Settings`)."""

    # Requests over these limits get a 413 that names the limit.
    max_records_per_request: int = Field(default=1000, ge=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Adaptive batching: concurrent requests are merged into one model call of at most
    # `batch_max_size` records; a batch waits at most `batch_max_wait_ms` for more requests.
    batch_max_size: int = Field(default=512, ge=1)
    batch_max_wait_ms: float = Field(default=5.0, ge=0)
    # Test-set metrics shown by /metadata when the file is present (written by `evaluate`).
    metrics_path: Path = Path("reports/metrics.json")
