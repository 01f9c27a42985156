"""KIM-Monitor dashboards: page configuration and navigation (`streamlit run dashboards/app.py`).

Only global state lives here (the role of the process, from `KIM_ROLLE`, and the data status); each page is a
script in `app_pages/`, its logic in `lib/`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboards.lib import ui

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"

# An emoji favicon is drawn as inline SVG. Material icons (also on st.Page, whose icon becomes the favicon)
# are fetched from a font CDN, which fails offline.
st.set_page_config(page_title="KIM-Monitor", page_icon="📊", layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES_DIR / "landesuebersicht.py", title="Landesübersicht", default=True),
        st.Page(PAGES_DIR / "kommunenprofil.py", title="Kommunenprofil"),
        st.Page(PAGES_DIR / "lieferungen.py", title="Lieferungen & Datenqualität"),
        st.Page(PAGES_DIR / "datenlieferung.py", title="Datenlieferung"),
        st.Page(PAGES_DIR / "methodik.py", title="Methodik"),
    ]
)
st.sidebar.markdown("**KIM-Monitor**  \nKommunales Integrationsmanagement NRW")
ui.render_role()
ui.render_data_status()
navigation.run()
