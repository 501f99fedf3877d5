"""The tabular family's serving side; `family.SERVING` is what the API, app and `predict` use."""
