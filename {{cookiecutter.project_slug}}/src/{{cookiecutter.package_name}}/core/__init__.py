"""What every task family shares: errors, files, settings, params, the model directory, reports.

Nothing here imports a task family. Heavy libraries (MLflow, matplotlib) are imported only by the
modules that need them (`tracking`, `figures`), never by serving.
"""
