"""Upload the Space bundle (build/space/, from `make space`) to its Hugging Face Space.

`make deploy-space` and the deploy-space workflow run it. It needs a token with write access in
HF_TOKEN; without one it stops before contacting the Hub, so nothing is uploaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from {{ cookiecutter.package_name }} import PROJECT
from {{ cookiecutter.package_name }}.core.errors import ProjectError
from {{ cookiecutter.package_name }}.core.modeldir import read_metadata

NO_TOKEN = (
    "HF_TOKEN is not set: create a token with write access at "
    "https://huggingface.co/settings/tokens, then export HF_TOKEN=... (or put it in .env); "
    "nothing was uploaded"
)
NO_BUNDLE = "{bundle} holds no Space bundle: run `make space` first; nothing was uploaded"


class DeployError(ProjectError):
    """The bundle cannot be uploaded; the message says why."""


class DeploySettings(BaseSettings):
    """The Hub token and the Space to upload to, from the environment or .env."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    hf_token: SecretStr | None = None
    # <user or organisation>/<space name>
    hf_space: str = f"{{ cookiecutter.hf_username | in_quotes }}/{PROJECT}"


def deploy(bundle: Path, space: str, token: str | None) -> str:
    """Create the Space if needed and replace its files with the bundle; return its URL.

    Raises:
        DeployError: no token, no bundle, or the Hub refused the upload.
    """
    if not token:
        raise DeployError(NO_TOKEN)
    if not all((bundle / name).is_file() for name in ("README.md", "Dockerfile", "app.py")):
        raise DeployError(NO_BUNDLE.format(bundle=bundle))
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    metadata = read_metadata(bundle / "models")
    api = HfApi(token=token)
    try:
        api.create_repo(space, repo_type="space", space_sdk="docker", exist_ok=True)
        api.upload_folder(
            repo_id=space,
            repo_type="space",
            folder_path=bundle,
            commit_message=f"Deploy model {metadata['model']} {metadata['version']}",
            # Files of an earlier bundle that this one no longer has are removed.
            delete_patterns="*",
        )
    except HfHubHTTPError as error:
        raise DeployError(f"the Hub refused the upload to {space}: {error}") from None
    return f"https://huggingface.co/spaces/{space}"


def main(
    bundle: Annotated[Path, typer.Argument(help="The bundle built by `make space`.")] = Path(
        "build/space"
    ),
    space: Annotated[
        str | None, typer.Option(help="<owner>/<name> of the Space (default: HF_SPACE).")
    ] = None,
) -> None:
    """Upload the Space bundle to Hugging Face."""
    settings = DeploySettings()
    token = settings.hf_token.get_secret_value() if settings.hf_token else None
    try:
        url = deploy(bundle, space or settings.hf_space, token)
    except ProjectError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"deployed {bundle} to {url}")


if __name__ == "__main__":
    typer.run(main)
