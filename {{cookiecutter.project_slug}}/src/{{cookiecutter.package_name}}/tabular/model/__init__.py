"""The tabular family's pipeline side; `family.FAMILY` is what the stages call."""
