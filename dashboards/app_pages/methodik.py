"""Methodik: what every KPI means and how KIM-Monitor computes, compares and protects it, in plain German.

Every KPI of the catalogue (also those without values yet), then the methods: reference areas and peer groups
(with the numbers of the current snapshot), confidence intervals, significance and polarity, funnel plots,
trend tests, statistical confidentiality and the symbols. The texts live in `lib/methodik_texte.py`.
"""

from __future__ import annotations

import streamlit as st

from dashboards.lib import methodik_texte, queries, ui

st.title("Methodik")
ui.require_warehouse(("peergruppen", "strukturmerkmale"))
role = ui.current_role()

st.markdown(methodik_texte.INTRO)
st.info(methodik_texte.role_note(role), icon=":material/info:")

# --- the catalogue ------------------------------------------------------------------------------------------
st.header("Kennzahlen")
catalogue = queries.catalogue()
st.caption(
    f"Der Kennzahlenkatalog umfasst {len(catalogue)} Kennzahlen. Kennzahlen ohne Werte im Warehouse werden "
    "hier schon beschrieben und erscheinen auf den anderen Seiten, sobald sie berechnet sind."
)
domain_of_kpi = catalogue["bereich"].fillna("Weitere Kennzahlen")
for domain in dict.fromkeys(domain_of_kpi):
    st.subheader(domain)
    for kpi in catalogue[domain_of_kpi == domain].itertuples(index=False):
        with st.expander(methodik_texte.kpi_title(kpi)):
            st.markdown(methodik_texte.kpi_method_text(kpi))

# --- methods ------------------------------------------------------------------------------------------------
st.header("Bezugsgebiete und Vergleichsgruppen")
st.markdown(methodik_texte.REFERENCE_AREAS)
features = queries.structural_features()
if features.empty:
    st.caption("Das Warehouse enthält noch keine Strukturmerkmale.")
else:
    st.subheader("Vergleichsgruppen")
    facts = methodik_texte.structure_facts(features, queries.peer_distances())
    st.markdown(methodik_texte.peer_group_text(facts))
    st.table(methodik_texte.feature_table(features), hide_index=True)

for title, text in methodik_texte.METHOD_SECTIONS:
    st.header(title)
    st.markdown(text)

ui.render_source_footer()
