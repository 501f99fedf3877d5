"""The base class of every error a user can fix: bad params, bad data, no model.

The CLI prints its message without a traceback; the API turns it into a JSON error.
"""


class ProjectError(Exception):
    """An error caused by input or state the user controls; its message says what to fix."""
