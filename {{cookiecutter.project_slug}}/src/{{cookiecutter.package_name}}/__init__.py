"""{{ cookiecutter.project_name }}.

{{ cookiecutter.description }}
"""

# The project's name: the CLI, the MLflow experiment and the registered model share it.
PROJECT = "{{ cookiecutter.project_slug }}"
