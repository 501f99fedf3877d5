"""The Streamlit app (`app.py`) and what it needs: settings, prediction backends, uploads."""
