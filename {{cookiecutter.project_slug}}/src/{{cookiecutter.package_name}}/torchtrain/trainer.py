"""The training loop: epochs of mini-batches, validation, early stopping, checkpoints.

Plain PyTorch, readable top to bottom in `fit`. Per epoch it records the training and
validation loss and accuracy (the learning curves), keeps the weights of the epoch with the
lowest validation loss, and stops once that loss has not improved for `patience` epochs. The
learning rate warms up linearly, then follows a cosine down to zero (or stays constant).
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler, RandomSampler, Subset

from .checkpoint import load_checkpoint, save_checkpoint
from .runtime import Runtime

log = logging.getLogger(__name__)

# A batch's inputs: one tensor (`model(inputs)`) or named tensors (`model(**inputs)`).
Inputs = torch.Tensor | Mapping[str, torch.Tensor]
Collate = Callable[[list[Any]], tuple[Inputs, torch.Tensor]]


@dataclass(frozen=True)
class TrainConfig:
    """How to train: the hyper-parameters of one `fit`.

    `batch_size` is the batch of one optimisation step over all processes: under `torchrun`
    each of N processes takes `batch_size / N` examples, so the result does not depend on N.
    """

    epochs: int
    batch_size: int
    learning_rate: float
    seed: int = 42
    weight_decay: float = 0.0
    schedule: Literal["cosine", "constant"] = "cosine"
    # Fraction of the steps over which the learning rate rises linearly from zero.
    warmup: float = 0.0
    # Stop after this many epochs without a lower validation loss (None: never stop early).
    patience: int | None = None
    grad_clip: float | None = None
    num_workers: int = 0


@dataclass(frozen=True)
class EpochRecord:
    """One epoch's learning-curve point."""

    epoch: int
    stage: str
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    learning_rate: float
    seconds: float
    timestamp_ms: int

    def as_dict(self) -> dict[str, Any]:
        """The record as plain JSON values."""
        return asdict(self)


@dataclass
class Fitted:
    """What `fit` returns: the model with its best weights loaded, and how it got there."""

    model: nn.Module
    history: list[EpochRecord]
    best_epoch: int
    stopped_early: bool
    resumed_from_epoch: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _to_device(inputs: Inputs, device: torch.device) -> Inputs:
    if isinstance(inputs, torch.Tensor):
        return inputs.to(device, non_blocking=True)
    return {name: value.to(device, non_blocking=True) for name, value in inputs.items()}


def _logits(output: Any) -> torch.Tensor:
    """The logits of a model's output: a tensor, a dict or a transformers ModelOutput."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, Mapping) and "logits" in output:
        return output["logits"]
    logits = getattr(output, "logits", None)
    if isinstance(logits, torch.Tensor):
        return logits
    raise TypeError(f"the model returned {type(output).__name__}, not logits")


def _forward(model: nn.Module, inputs: Inputs) -> torch.Tensor:
    if isinstance(inputs, torch.Tensor):
        return _logits(model(inputs))
    return _logits(model(**inputs))


def _batch_size(inputs: Inputs) -> int:
    if isinstance(inputs, torch.Tensor):
        return int(inputs.shape[0])
    return int(next(iter(inputs.values())).shape[0])


def _schedule(config: TrainConfig, total_steps: int) -> Callable[[int], float]:
    warmup = max(int(config.warmup * total_steps), 0)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        if config.schedule == "constant":
            return 1.0
        progress = (step - warmup) / max(total_steps - warmup, 1)
        return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))

    return factor


def _loader(
    dataset: Dataset[Any],
    batch_size: int,
    collate: Collate | None,
    config: TrainConfig,
    rt: Runtime,
    epoch: int,
    train: bool,
) -> DataLoader[Any]:
    """Shuffled, per-process shards for training; in-order shards for validation."""
    pin = rt.device.type == "cuda"
    if not train:
        size = len(dataset)  # type: ignore[arg-type]
        shard = Subset(dataset, range(rt.rank, size, rt.world_size)) if rt.distributed else dataset
        return DataLoader(shard, batch_size=batch_size, shuffle=False, collate_fn=collate,
                          num_workers=config.num_workers, pin_memory=pin)  # fmt: skip
    if rt.distributed:
        sampler: Any = DistributedSampler(
            dataset, num_replicas=rt.world_size, rank=rt.rank, shuffle=True, seed=config.seed
        )
        sampler.set_epoch(epoch)
    else:
        # A generator per epoch: a resumed run shuffles epoch k exactly as an unbroken one.
        sampler = RandomSampler(
            dataset,  # type: ignore[arg-type]  # map-style datasets have a length
            generator=torch.Generator().manual_seed(config.seed + epoch),
        )
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, collate_fn=collate,
                      num_workers=config.num_workers, pin_memory=pin)  # fmt: skip


def _sum_over_processes(values: Sequence[float], rt: Runtime) -> list[float]:
    """Element-wise sums over the processes of a distributed run (the values themselves else)."""
    if not rt.distributed:
        return list(values)
    tensor = torch.tensor(values, dtype=torch.float64, device=rt.device)
    dist.all_reduce(tensor)
    return tensor.tolist()


def _state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """A CPU copy of the weights (the module itself, not a DDP wrapper)."""
    return {name: value.detach().to("cpu").clone() for name, value in model.state_dict().items()}


@dataclass
class _Progress:
    """What a checkpoint restores: where training stands and what it has learnt so far."""

    epoch: int = 0
    history: list[EpochRecord] = field(default_factory=list)
    best_loss: float = math.inf
    best_epoch: int = 0
    bad_epochs: int = 0
    best_state: dict[str, torch.Tensor] | None = None
    finished: bool = False
    stopped_early: bool = False


def _run_epoch(
    model: nn.Module,
    loader: Iterable[tuple[Inputs, torch.Tensor]],
    loss_fn: nn.Module,
    rt: Runtime,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    scaler: torch.amp.GradScaler | None = None,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    grad_clip: float | None = None,
) -> tuple[float, float]:
    """One pass over `loader` (training when an optimizer is given); mean loss and accuracy."""
    training = optimizer is not None
    model.train(training)
    loss_sum, correct, count = 0.0, 0.0, 0.0
    autocast = torch.autocast(
        rt.device.type, dtype=rt.amp_dtype or torch.float32, enabled=rt.amp_dtype is not None
    )
    with torch.set_grad_enabled(training):
        for raw_inputs, raw_targets in loader:
            inputs = _to_device(raw_inputs, rt.device)
            targets = raw_targets.to(rt.device, non_blocking=True)
            if augment is not None and training and isinstance(inputs, torch.Tensor):
                with torch.no_grad():
                    inputs = augment(inputs)
            with autocast:
                logits = _forward(model, inputs)
                loss = loss_fn(logits, targets)
            if optimizer is not None:
                optimizer.zero_grad(set_to_none=True)
                if scaler is not None:
                    scaler.scale(loss).backward()
                    scaler.unscale_(optimizer)
                else:
                    loss.backward()
                if grad_clip:
                    nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
                if scaler is not None:
                    scaler.step(optimizer)
                    scaler.update()
                else:
                    optimizer.step()
                if scheduler is not None:
                    scheduler.step()
            size = _batch_size(inputs)
            loss_sum += float(loss.detach()) * size
            if not targets.is_floating_point():
                correct += float((logits.detach().argmax(dim=-1) == targets).sum())
            count += size
    loss_sum, correct, count = _sum_over_processes([loss_sum, correct, count], rt)
    return loss_sum / max(count, 1), correct / max(count, 1)


def fit(
    model: nn.Module,
    train_set: Dataset[Any],
    validation_set: Dataset[Any],
    config: TrainConfig,
    rt: Runtime,
    *,
    collate: Collate | None = None,
    loss: nn.Module | None = None,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    parameters: Iterable[nn.Parameter] | None = None,
    checkpoint: Path | None = None,
    fingerprint: str = "",
    stage: str = "train",
    first_epoch: int = 1,
    on_epoch: Callable[[EpochRecord], None] | None = None,
) -> Fitted:
    """Train `model` on `train_set`, keeping the weights with the lowest validation loss.

    Args:
        model: returns logits (a tensor, or an output with `.logits`) for a batch's inputs.
        train_set: training examples; `collate` turns a list of them into (inputs, targets).
        validation_set: examples for the per-epoch validation loss, accuracy and early stop.
        config: the hyper-parameters.
        rt: from `runtime()`: the device, and the process group under `torchrun`.
        collate: examples → (inputs, targets); PyTorch's default collation when None.
        loss: the loss (default: cross-entropy on class indices).
        augment: applied to the input tensor of training batches only, on the device.
        parameters: the parameters to optimise (default: all that require gradients).
        checkpoint: file to save training state to after each epoch, and to resume from.
        fingerprint: what else a checkpoint must have been written for to be resumed (e.g. the
            data's hash), besides `config` and `stage`; otherwise training starts afresh.
        stage: the name of this call in the history (e.g. "head", then "fine-tune").
        first_epoch: the number of this call's first epoch in the history.
        on_epoch: called with each epoch's record (in every process).

    Returns:
        The model (unwrapped, best weights loaded, on `rt.device`) and its history.
    """
    loss_fn = loss if loss is not None else nn.CrossEntropyLoss()
    deterministic = torch.are_deterministic_algorithms_enabled()
    if rt.device.type == "cpu":
        torch.use_deterministic_algorithms(True, warn_only=True)
    torch.manual_seed(config.seed)
    model.to(rt.device)
    chosen = list(parameters) if parameters is not None else None
    trainable = chosen or [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        trainable, lr=config.learning_rate, weight_decay=config.weight_decay
    )
    per_process = max(1, math.ceil(config.batch_size / rt.world_size))
    steps = len(_loader(train_set, per_process, collate, config, rt, 0, train=True))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, _schedule(config, steps * config.epochs)
    )
    scaler = torch.amp.GradScaler("cuda") if rt.amp_dtype == torch.float16 else None

    # A checkpoint is resumed only by the same training: same caller's fingerprint and config.
    fingerprint = f"{fingerprint}|{stage}|{config!r}"
    progress = _Progress()
    resumed: int | None = None
    if checkpoint is not None and checkpoint.is_file():
        state = load_checkpoint(checkpoint)
        if state.get("fingerprint") != fingerprint:
            log.warning("checkpoint '%s' belongs to another training; starting afresh", checkpoint)
        else:
            progress = _restore(state, model, optimizer, scheduler, scaler)
            resumed = progress.epoch
            log.info("resuming %s from checkpoint '%s' after epoch %d", stage, checkpoint, resumed)

    # Every process starts from the same weights (DDP copies the first process's).
    network: nn.Module = model
    if rt.distributed:
        ids = [rt.device.index] if rt.device.type == "cuda" else None
        network = nn.parallel.DistributedDataParallel(model, device_ids=ids)

    while not progress.finished and progress.epoch < config.epochs:
        epoch = progress.epoch + 1
        # Seeded per epoch and process: a resumed run draws what an unbroken one would have,
        # and each process augments and drops out differently.
        torch.manual_seed(config.seed + 1000 * rt.rank + epoch)
        started = time.perf_counter()
        loader = _loader(train_set, per_process, collate, config, rt, epoch, train=True)
        train_loss, train_accuracy = _run_epoch(
            network, loader, loss_fn, rt, optimizer, scheduler, scaler, augment, config.grad_clip
        )
        validation = _loader(validation_set, per_process, collate, config, rt, epoch, train=False)
        val_loss, val_accuracy = _run_epoch(network, validation, loss_fn, rt)
        record = EpochRecord(
            epoch=first_epoch + epoch - 1,
            stage=stage,
            train_loss=train_loss,
            train_accuracy=train_accuracy,
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            learning_rate=float(scheduler.get_last_lr()[0]),
            seconds=time.perf_counter() - started,
            timestamp_ms=int(time.time() * 1000),
        )
        progress.history.append(record)
        progress.epoch = epoch
        if val_loss < progress.best_loss:
            progress.best_loss, progress.best_epoch, progress.bad_epochs = val_loss, epoch, 0
            progress.best_state = _state_dict(model)
        else:
            progress.bad_epochs += 1
        if config.patience is not None and progress.bad_epochs >= config.patience:
            progress.finished = progress.stopped_early = True
        progress.finished = progress.finished or epoch >= config.epochs
        if rt.primary:
            log.info(
                "%s epoch %d/%d: train loss %.4f acc %.4f · validation loss %.4f acc %.4f "
                "(%.1f s)%s", stage, epoch, config.epochs, train_loss, train_accuracy, val_loss,
                val_accuracy, record.seconds, " · stopping early" if progress.stopped_early else "",
            )  # fmt: skip
        if on_epoch is not None:
            on_epoch(record)
        if checkpoint is not None:
            if rt.primary:
                _save(checkpoint, fingerprint, stage, progress, model, optimizer, scheduler, scaler)
            rt.barrier()

    if progress.best_state is not None:
        model.load_state_dict(progress.best_state)
    torch.use_deterministic_algorithms(deterministic)
    return Fitted(
        model=model,
        history=progress.history,
        best_epoch=first_epoch + progress.best_epoch - 1,
        stopped_early=progress.stopped_early,
        resumed_from_epoch=resumed,
    )


def _save(
    path: Path,
    fingerprint: str,
    stage: str,
    progress: _Progress,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    scaler: torch.amp.GradScaler | None,
) -> None:
    state = {
        "fingerprint": fingerprint,
        "stage": stage,
        "epoch": progress.epoch,
        "finished": progress.finished,
        "stopped_early": progress.stopped_early,
        "history": [record.as_dict() for record in progress.history],
        "best_loss": progress.best_loss if math.isfinite(progress.best_loss) else None,
        "best_epoch": progress.best_epoch,
        "bad_epochs": progress.bad_epochs,
        "model": _state_dict(model),
        "best": progress.best_state,
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "scaler": scaler.state_dict() if scaler is not None else None,
    }
    save_checkpoint(path, state)


def _restore(
    state: dict[str, Any],
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    scaler: torch.amp.GradScaler | None,
) -> _Progress:
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(copy.deepcopy(state["optimizer"]))
    scheduler.load_state_dict(state["scheduler"])
    if scaler is not None and state.get("scaler"):
        scaler.load_state_dict(state["scaler"])
    best_loss = state["best_loss"]
    return _Progress(
        epoch=int(state["epoch"]),
        history=[EpochRecord(**record) for record in state["history"]],
        best_loss=math.inf if best_loss is None else float(best_loss),
        best_epoch=int(state["best_epoch"]),
        bad_epochs=int(state["bad_epochs"]),
        best_state=state["best"],
        finished=bool(state["finished"]),
        stopped_early=bool(state["stopped_early"]),
    )
