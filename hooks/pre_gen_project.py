"""Validate the answers before cookiecutter writes anything.

A bad answer prints one line naming the option, the value and what is allowed, then exits 1;
cookiecutter then removes the half-made directory, so nothing is left behind.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata
from typing import Any

# The answers, rendered once as one escaped JSON string: no answer can break this file.
ANSWERS: dict[str, Any] = json.loads("{{ cookiecutter | in_quotes }}")
# Import names the package must not take (local_extensions.py lists them).
DEPENDENCY_MODULES = frozenset(json.loads("{{ dependency_modules | in_quotes }}"))

SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HANDLE_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")

CHOICES = {
    "include_api": ("yes", "no"),
    "include_ui": ("yes", "no"),
    "deploy_hf_space": ("yes", "no"),
    "ci": ("github-actions", "none"),
    "dvc_remote": ("local", "s3", "gcs", "azure"),
    "python_version": ("3.11", "3.12", "3.13"),
    "license": ("MIT", "Apache-2.0", "BSD-3-Clause", "none"),
}


# Answers written as text into the README, pyproject.toml, the UI and the licence: one line.
FREE_TEXT = ("project_name", "description", "author_name")


def check(answers: dict[str, Any]) -> str | None:
    """Return the first problem with the answers as one line, or None when they are valid."""
    for option in FREE_TEXT:
        if any(unicodedata.category(char) == "Cc" for char in answers[option]):
            return (
                f"{option} {answers[option]!r} contains a line break or another control "
                "character: answer on one line."
            )
    if not answers["project_name"].strip():
        return "project_name is empty: give the project a name, e.g. 'Penguin Species Classifier'."
    slug = answers["project_slug"]
    if not SLUG_RE.match(slug):
        return (
            f"project_slug {slug!r} is not valid: use lowercase letters, digits and single dashes, "
            "starting with a letter (e.g. 'penguin-species-classifier')."
        )
    package = answers["package_name"]
    if not PACKAGE_RE.match(package) or not package.isidentifier():
        return (
            f"package_name {package!r} is not a valid Python package name: use lowercase letters, "
            "digits and underscores, not starting with a digit (e.g. 'penguin_species_classifier')."
        )
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        return f"package_name {package!r} is a Python keyword: choose another name."
    if package in sys.stdlib_module_names:
        return (
            f"package_name {package!r} is the name of a standard-library module and would shadow "
            "it: choose another name."
        )
    if package in DEPENDENCY_MODULES:
        return (
            f"package_name {package!r} is the import name of a dependency of the generated "
            "project and would shadow it: choose another name."
        )
    if not EMAIL_RE.match(answers["author_email"]):
        return (
            f"author_email {answers['author_email']!r} is not an email address: "
            "expected something like 'you@example.com'."
        )
    for handle in ("github_username", "hf_username"):
        if not HANDLE_RE.match(answers[handle]):
            return (
                f"{handle} {answers[handle]!r} is not a valid user name: use letters, digits, "
                "'-', '_' or '.', without spaces."
            )
    for option, allowed in {"task": tuple(answers["_tasks"]), **CHOICES}.items():
        if answers[option] not in allowed:
            return f"{option} {answers[option]!r} is not one of the choices: {', '.join(allowed)}."
    if answers["deploy_hf_space"] == "yes" and answers["include_ui"] == "no":
        return (
            "deploy_hf_space 'yes' needs include_ui 'yes': the Space serves the Streamlit app. "
            "Answer include_ui=yes, or deploy_hf_space=no."
        )
    return None


def main() -> None:
    """Exit 1 with one clear line when an answer is invalid."""
    problem = check(ANSWERS)
    if problem:
        print(f"ERROR: {problem}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
