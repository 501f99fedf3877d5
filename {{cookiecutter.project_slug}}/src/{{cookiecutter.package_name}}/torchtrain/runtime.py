"""Where training runs: the device, mixed precision, and the process group under `torchrun`.

`torchrun --nproc-per-node N <command>` starts N copies of the command with RANK, WORLD_SIZE
and LOCAL_RANK set; `runtime()` joins them into one process group (NCCL when each process has
a GPU, gloo otherwise), and leaves it on exit. Without those variables it is a single process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.distributed as dist

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    """The device this process trains on, and its place among the processes of a run."""

    device: torch.device
    rank: int = 0
    world_size: int = 1
    # Mixed precision on CUDA (bfloat16 where the GPU has it, else float16); None on CPU.
    amp_dtype: torch.dtype | None = None

    @property
    def primary(self) -> bool:
        """Whether this process writes checkpoints, artifacts and tracking records."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """Whether several processes train one model together."""
        return self.world_size > 1

    def barrier(self) -> None:
        """Wait for every process (nothing to wait for in a single process)."""
        if self.distributed:
            dist.barrier()


def _device(local_rank: int, use_cuda: bool) -> torch.device:
    if use_cuda and torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


@contextmanager
def runtime(use_cuda: bool = True, amp: bool = True) -> Iterator[Runtime]:
    """The training runtime: CUDA when present (unless `use_cuda` is False), else the CPU.

    Under `torchrun`, joins the process group for the block and leaves it afterwards (a group
    that already exists is used as it is and left alone).
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = _device(local_rank, use_cuda)
    amp_dtype = None
    if amp and device.type == "cuda":
        amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    created = False
    if world_size > 1 and not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend, rank=rank, world_size=world_size)
        created = True
        log.info("process %d of %d joined the %s process group", rank, world_size, backend)
    try:
        yield Runtime(device, rank, world_size, amp_dtype)
    finally:
        if created:
            dist.destroy_process_group()
