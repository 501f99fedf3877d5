"""The errors a user can fix: bad params, bad data, no model, a failed report.

Each carries a message that names what is wrong and what to do. The CLI prints it without a
traceback; the API turns it into a JSON error.
"""


class ProjectError(Exception):
    """An error caused by input or state the user controls; its message says what to fix."""


class ParamsError(ProjectError, ValueError):
    """params.yaml is missing, unreadable or invalid; the message names the key."""


class DataValidationError(ProjectError, ValueError):
    """Data does not fit what the pipeline or the model expects; the message names the column."""


class ModelNotFoundError(ProjectError, FileNotFoundError):
    """The model directory is missing, incomplete or inconsistent; the message says why."""


class UntrustedModelError(ProjectError, ValueError):
    """A model holds types outside the trusted list, so it is neither saved nor loaded."""


class ExplanationError(ProjectError, ValueError):
    """A prediction cannot be explained: no explainer fits the model, or no such output."""


class ReportError(ProjectError, ValueError):
    """A report cannot be built or a check failed; the message says which file or metric."""


def problem_message(message: str, value: object) -> str:
    """A validation message, with a hint where the value is a NaN standing for a missing value."""
    if isinstance(value, float) and value != value:  # NaN never equals itself
        return f"{message} (got NaN: write a missing value as null)"
    return message
