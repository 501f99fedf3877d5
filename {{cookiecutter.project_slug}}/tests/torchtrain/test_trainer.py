"""The shared PyTorch trainer on a tiny problem: learning, early stopping, resuming, weights."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from {{ cookiecutter.package_name }}.core.errors import ModelNotFoundError
from {{ cookiecutter.package_name }}.torchtrain.checkpoint import (
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from {{ cookiecutter.package_name }}.torchtrain.runtime import Runtime, runtime
from {{ cookiecutter.package_name }}.torchtrain.trainer import EpochRecord, TrainConfig, fit
from {{ cookiecutter.package_name }}.torchtrain.weights import load_weights, save_weights

CONFIG = TrainConfig(epochs=6, batch_size=32, learning_rate=0.01, seed=3, warmup=0.1)


def data() -> tuple[TensorDataset, TensorDataset]:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(400, 6, generator=generator)
    labels = (inputs[:, 0] - inputs[:, 1] > 0).long()
    return TensorDataset(inputs[:320], labels[:320]), TensorDataset(inputs[320:], labels[320:])


def network(hidden: int = 16) -> nn.Sequential:
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(6, hidden), nn.ReLU(), nn.Dropout(0.1), nn.Linear(hidden, 2))


@pytest.fixture
def cpu() -> Runtime:
    with runtime(use_cuda=False) as rt:
        return rt


def losses(history: list[EpochRecord]) -> list[float]:
    return [record.val_loss for record in history]


def test_fit_learns_and_records_every_epoch(cpu: Runtime) -> None:
    train, validation = data()
    fitted = fit(network(), train, validation, CONFIG, cpu)
    assert [record.epoch for record in fitted.history] == list(range(1, 7))
    last = fitted.history[-1]
    assert last.val_accuracy > 0.9
    assert last.train_loss < fitted.history[0].train_loss
    assert fitted.history[-1].learning_rate < fitted.history[0].learning_rate  # cosine decay
    assert next(fitted.model.parameters()).device.type == "cpu"


def test_fit_is_deterministic_on_cpu(cpu: Runtime) -> None:
    train, validation = data()
    first = fit(network(), train, validation, CONFIG, cpu)
    second = fit(network(), train, validation, CONFIG, cpu)
    assert losses(first.history) == losses(second.history)


def test_early_stopping_keeps_the_best_weights(cpu: Runtime) -> None:
    train, validation = data()
    # A learning rate this high makes the validation loss jump around: patience 1 stops soon.
    config = TrainConfig(epochs=30, batch_size=16, learning_rate=0.5, seed=3, patience=1,
                         schedule="constant")  # fmt: skip
    fitted = fit(network(), train, validation, config, cpu)
    assert fitted.stopped_early
    assert len(fitted.history) < 30
    best = min(fitted.history, key=lambda record: record.val_loss)
    assert fitted.best_epoch == best.epoch
    loss = nn.CrossEntropyLoss()
    inputs, labels = validation.tensors
    with torch.no_grad():
        assert float(loss(fitted.model.eval()(inputs), labels)) == pytest.approx(best.val_loss)


def test_a_killed_training_resumes_where_it_stopped(cpu: Runtime, tmp_path: Path) -> None:
    train, validation = data()
    unbroken = fit(network(), train, validation, CONFIG, cpu)
    checkpoint = tmp_path / "checkpoint.safetensors"

    def kill_after_epoch_3(record: EpochRecord) -> None:
        if record.epoch == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(network(), train, validation, CONFIG, cpu, checkpoint=checkpoint,
            on_epoch=kill_after_epoch_3)  # fmt: skip
    assert load_checkpoint(checkpoint)["epoch"] == 3
    resumed = fit(network(), train, validation, CONFIG, cpu, checkpoint=checkpoint)
    assert resumed.resumed_from_epoch == 3
    assert losses(resumed.history) == pytest.approx(losses(unbroken.history), rel=1e-6)


def test_a_checkpoint_of_other_settings_is_not_resumed(cpu: Runtime, tmp_path: Path) -> None:
    train, validation = data()
    checkpoint = tmp_path / "checkpoint.safetensors"
    fit(network(), train, validation, CONFIG, cpu, checkpoint=checkpoint, fingerprint="data-1")
    again = fit(network(), train, validation, CONFIG, cpu, checkpoint=checkpoint,
                fingerprint="data-2")  # fmt: skip
    assert again.resumed_from_epoch is None
    assert len(again.history) == CONFIG.epochs


def test_only_the_given_parameters_learn(cpu: Runtime) -> None:
    train, validation = data()
    model = network()
    first, last = model[0], model[3]
    assert isinstance(first, nn.Linear)
    frozen = first.weight.detach().clone()
    fit(model, train, validation, CONFIG, cpu, parameters=last.parameters())
    assert torch.equal(first.weight.detach(), frozen)


def test_named_inputs_and_output_objects_are_supported(cpu: Runtime) -> None:
    """A transformers-style model: `model(**batch)` answers an object with `.logits`."""

    class Output:
        def __init__(self, logits: torch.Tensor) -> None:
            self.logits = logits

    class Named(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = network()

        def forward(self, features: torch.Tensor, mask: torch.Tensor) -> Output:
            return Output(self.inner(features * mask))

    def collate(examples: list[tuple[torch.Tensor, torch.Tensor]]):
        features = torch.stack([example[0] for example in examples])
        labels = torch.stack([example[1] for example in examples])
        return {"features": features, "mask": torch.ones_like(features)}, labels

    train, validation = data()
    fitted = fit(Named(), train, validation, CONFIG, cpu, collate=collate)
    assert fitted.history[-1].val_accuracy > 0.9


def test_checkpoints_hold_nested_state_without_pickle(tmp_path: Path) -> None:
    state = {"epoch": 2, "optimizer": {"state": {0: {"step": torch.tensor(3.0)}},
             "param_groups": [{"betas": (0.9, 0.99), "params": [0]}]}}  # fmt: skip
    path = save_checkpoint(tmp_path / "state.safetensors", state)
    loaded = load_checkpoint(path)
    assert loaded["optimizer"]["state"][0]["step"] == torch.tensor(3.0)
    assert loaded["optimizer"]["param_groups"][0]["betas"] == [0.9, 0.99]
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(CheckpointError, match=r"cannot be read .* delete it"):
        load_checkpoint(path)


def test_weights_round_trip_and_a_mismatch_is_named(tmp_path: Path) -> None:
    model = network()
    save_weights(model, {"hidden": 16}, tmp_path)
    loaded, description = load_weights(tmp_path, lambda d: network(d["hidden"]))
    assert description == {"hidden": 16}
    inputs = torch.randn(3, 6)
    assert torch.equal(loaded(inputs), model.eval()(inputs))
    with pytest.raises(ModelNotFoundError, match="does not fit the architecture"):
        load_weights(tmp_path, lambda d: network(8))
