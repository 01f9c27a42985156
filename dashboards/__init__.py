"""KIM-Monitor dashboards (Streamlit): `app.py` declares the pages of `app_pages/`; `lib/` holds logic."""
