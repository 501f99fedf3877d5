"""Tabular data (a CSV, parquet or bundled table with one target column): the task family.

`model/` is what the pipeline stages run; `serving/` is what the API, the app and `predict` add.
"""
