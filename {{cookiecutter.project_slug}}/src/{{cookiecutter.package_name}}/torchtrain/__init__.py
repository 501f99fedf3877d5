"""One PyTorch training loop for every PyTorch family (images, text): plain, seeded, resumable.

The API, in full:

    from ..torchtrain.runtime import runtime
    from ..torchtrain.trainer import TrainConfig, fit
    from ..torchtrain.weights import load_weights, save_weights   # serving needs only this one

    with runtime() as rt:                 # the device (CUDA + mixed precision when present),
                                          # and under `torchrun` the DDP process group
        result = fit(
            model,                        # any torch.nn.Module returning logits
            train_set, validation_set,    # map-style datasets of examples
            TrainConfig(epochs=10, batch_size=64, learning_rate=1e-3, seed=42, patience=3),
            rt,
            collate=collate,              # examples → (inputs, targets); inputs a tensor or a
                                          # dict of tensors (a transformers batch: model(**inputs))
            loss=torch.nn.CrossEntropyLoss(),
            augment=augment,              # optional: training batches only, on the device
            checkpoint=Path("checkpoints/cnn"),  # optional: resume after a kill
            fingerprint="…",              # what the checkpoint must match to be resumed
        )
    result.model, result.history          # the fitted model (best validation loss) and its
                                          # per-epoch train/validation loss and accuracy

`fit` can be called several times on one model (a frozen backbone, then fine-tuning), each
call with its own checkpoint. Under `torchrun --nproc-per-node N`, the same code trains one
model with DistributedDataParallel (gloo on CPU, NCCL on GPU) and a DistributedSampler;
`rt.primary` is True in one process only, the one that writes checkpoints and artifacts.
Weights are saved with safetensors beside a JSON description (`weights.py`); nothing here
ever unpickles a file.
"""
