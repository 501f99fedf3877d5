"""Serving, written once for every family: batch predictions, the API and the Streamlit app.

Nothing here imports training code; the family's serving side (`task.load_serving`) supplies
the predictor, the request type and the app's widgets.
"""
