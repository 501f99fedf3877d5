"""Jinja filters of the template (cookiecutter loads this module through `_extensions`).

- `python_string`: an answer as a Python string literal, quoted as ruff's formatter quotes it.
- `in_quotes`: an answer made safe between double quotes in Python, TOML, YAML or JSON.
- `derive_slug`: the project slug derived from any project name, always a valid slug whose
  package name (dashes → underscores) is a safe Python package name.
- `dependency_modules` (a global): the import names the generated package must not take.

With the first two, quotes, backslashes, accents or emoji in an answer never break a file.
"""

from __future__ import annotations

import json
import keyword
import sys
import unicodedata
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension
from slugify import slugify

# Import names the generated project depends on (directly or through an extra); a package
# with one of these names would shadow the library and break the project at import time.
DEPENDENCY_MODULES = frozenset(
    {
        "dvc", "fastapi", "httpx", "huggingface_hub", "matplotlib", "mlflow", "mypy", "numpy",
        "palmerpenguins", "pandas", "pyarrow", "pydantic", "pydantic_settings", "pytest", "ruff",
        "scipy", "selenium", "skops", "sklearn", "starlette", "streamlit", "torch", "typer",
        "uvicorn", "xgboost", "yaml",
    }
)  # fmt: skip

# Put before a derived slug that would not make a usable package name on its own: one that
# starts with a digit ("2024 Sales Forecast" → "ml-2024-sales-forecast") or whose package
# would be a keyword, a standard-library module or a dependency ("Json" → "ml-json").
SLUG_PREFIX = "ml"
# The slug of a name without any letter or digit to keep (e.g. only emoji).
FALLBACK_SLUG = f"{SLUG_PREFIX}-project"


def in_quotes(value: Any) -> str:
    """The text to write between double quotes: `value` (a string as is, else as JSON), escaped.

    The hooks read all the answers this way (`json.loads("{{ cookiecutter | in_quotes }}")`).

    JSON's escapes (\\", \\\\, \\n, \\uXXXX) mean the same in Python, TOML and YAML
    double-quoted strings; the other control characters (U+007F to U+009F), which TOML and
    YAML refuse raw, are escaped as well. Non-ASCII text (accents, emoji) stays as it is.
    """
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    return "".join(
        f"\\u{ord(char):04x}" if unicodedata.category(char) == "Cc" else char for char in body
    )


def python_string(value: str) -> str:
    """`value` as a Python string literal, in the quotes ruff's formatter would choose.

    Double quotes, unless the text holds more double quotes than single ones; the backslash,
    the quote and control characters are escaped; accents and emoji stay as they are (unlike
    Jinja's `tojson`, which writes an emoji as two surrogate escapes that Python reads as two
    broken characters).
    """
    quote = "'" if value.count('"') > value.count("'") else '"'

    def escaped(char: str) -> str:
        if char in ("\\", quote):
            return "\\" + char
        return f"\\u{ord(char):04x}" if unicodedata.category(char) == "Cc" else char

    body = "".join(escaped(char) for char in value)
    return f"{quote}{body}{quote}"


def unusable_package(package: str) -> bool:
    """Whether `package` cannot be the generated project's import name."""
    return (
        not package.isidentifier()
        or keyword.iskeyword(package)
        or keyword.issoftkeyword(package)
        or package in sys.stdlib_module_names
        or package in DEPENDENCY_MODULES
    )


def derive_slug(name: str) -> str:
    """The slug of a project name: ASCII lowercase words joined by single dashes.

    Accents are transliterated ("Café" → "cafe"), apostrophes dropped ("Ada's" → "adas"),
    any other punctuation or run of spaces becomes one dash. A slug whose package name would
    be unusable gets the `ml-` prefix; a name without any letter or digit gives `ml-project`.
    """
    slug = str(slugify(name, replacements=[["'", ""], ["\u2019", ""]]))
    if not slug:
        return FALLBACK_SLUG
    if unusable_package(slug.replace("-", "_")):
        return f"{SLUG_PREFIX}-{slug}"
    return slug


class AnswersExtension(Extension):
    """Registers the filters and globals above."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["python_string"] = python_string
        environment.filters["in_quotes"] = in_quotes
        environment.filters["derive_slug"] = derive_slug
        environment.globals["dependency_modules"] = sorted(DEPENDENCY_MODULES)
