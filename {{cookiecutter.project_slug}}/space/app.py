"""The Space's entry point: the project's Streamlit app, predicting with the bundled model."""

from {{ cookiecutter.package_name }}.serving.ui.app import main

main()
