"""The project's package, and the answers it was generated with (escaped, in one place)."""

# The project's name: the CLI, the MLflow experiment and the registered model share it.
PROJECT = {{ cookiecutter.project_slug | python_string }}
# What people read: the UI's and the Space's title and caption.
TITLE = {{ cookiecutter.project_name | python_string }}
DESCRIPTION = {{ cookiecutter.description | python_string }}
# What the model does (the task the project was generated for).
TASK = {{ cookiecutter.task | python_string }}
# The task family's folder (see task.py): the only family this project carries.
FAMILY_NAME = {{ cookiecutter._tasks[cookiecutter.task].family | python_string }}
