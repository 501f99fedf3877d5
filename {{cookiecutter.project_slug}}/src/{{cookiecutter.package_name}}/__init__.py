"""The project's package; the answers given when it was generated live here, rendered once."""

# The project's name: the CLI, the MLflow experiment and the registered model share it.
PROJECT = "{{ cookiecutter.project_slug }}"
TITLE = "{{ cookiecutter.project_name }}"
DESCRIPTION = "{{ cookiecutter.description }}"
TASK = "{{ cookiecutter.task }}"
# The task family's folder (see task.py): the only family this project carries.
FAMILY_NAME = "{{ cookiecutter.task.split('-')[0] }}"
