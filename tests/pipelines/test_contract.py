"""The contract as code matches the spec's code lists and the seeds; header rules work as documented."""

import csv
import gettext

import pycountry
import pytest

from pipelines.config import SEEDS_DIR
from pipelines.contract.codes import code_categories, code_lists, codes
from pipelines.contract.headers import is_identifier_column, normalise_header
from pipelines.contract.schema import CONTRACT_FILES, MANDATORY_FILES


def test_every_code_list_a_column_refers_to_exists():
    lists = code_lists()
    for file in CONTRACT_FILES.values():
        for column in file.columns:
            if column.code_list:
                assert column.code_list in lists, (file.name, column.name)


def test_code_lists_match_the_contract():
    assert codes("rechtskreis") == ("ASYLBLG", "SGB2", "SGB3", "SGB8", "SGB12", "KEIN_LEISTUNGSBEZUG")
    assert len(codes("bedarf")) == 11
    assert len(codes("stelle")) == 11
    assert len(codes("aufenthaltsstatus")) == 10
    assert set(codes("themenstatus")) == {
        "IDENTIFIZIERT",
        "PRIORISIERT",
        "IN_PROJEKTGRUPPE",
        "VEREINBART",
        "UMGESETZT",
        "VERWORFEN",
    }
    integration = {
        code
        for code, category in code_categories("ereignis").items()
        if category == "MEILENSTEIN_INTEGRATION"
    }
    assert integration == {"ARBEIT_SV", "AUSBILDUNG_BEGINN"}


def test_nationalities_are_iso_3166_alpha3_with_german_names():
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    with open(SEEDS_DIR / "staatsangehoerigkeiten.csv", encoding="utf-8") as handle:
        seed = {row["code"]: row["bezeichnung"] for row in csv.DictReader(handle)}
    expected = {country.alpha_3: german.gettext(country.name) for country in pycountry.countries}
    assert {code: name for code, name in seed.items() if code not in ("XXA", "XXX")} == expected
    assert seed["XXA"] == "staatenlos" and seed["XXX"] == "ungeklärt"


def test_reference_data_has_all_54_units_and_396_gemeinden():
    with open(SEEDS_DIR / "kommunen.csv", encoding="utf-8") as handle:
        units = list(csv.DictReader(handle))
    with open(SEEDS_DIR / "gemeinden.csv", encoding="utf-8") as handle:
        gemeinden = list(csv.DictReader(handle))
    assert len(units) == 54 and len({u["ags"] for u in units}) == 54
    assert len(gemeinden) == 396
    assert {u["typ"] for u in units} == {
        "kreisfreie_stadt",
        "kreis",
        "staedteregion",
        "kreisangehoerige_stadt_mit_ki",
    }


def test_mandatory_files():
    assert set(MANDATORY_FILES) == {"faelle", "ereignisse", "personal"}
    assert len(CONTRACT_FILES) == 7


@pytest.mark.parametrize("raw", ["Fall-ID", "fall_id", " FALL ID ", "\ufeffFall_Id", "FALL--ID"])
def test_header_variants_normalise_to_the_same_column(raw):
    assert normalise_header(raw) == "fall_id"


def test_umlauts_in_headers():
    assert normalise_header("Staatsangehörigkeit") == "staatsangehoerigkeit"
    assert normalise_header("Beschlüsse") == "beschluesse"
    assert normalise_header("Straße") == "strasse"


def test_identifier_columns_are_recognised():
    for header in ["Name", "Vorname", "Geburtsdatum", "E-Mail", "IBAN", "Steuer-ID", "Straße"]:
        assert is_identifier_column(normalise_header(header)), header
    for header in CONTRACT_FILES["faelle"].column_names:
        assert not is_identifier_column(header), header


def test_the_contract_for_municipalities_is_the_rendering_of_the_declarations():
    """docs/datenvertrag.md is written by `make datenvertrag`; a change of the contract must regenerate it."""
    from pipelines.contract.document import CONTRACT_DOCUMENT, render_contract

    text = CONTRACT_DOCUMENT.read_text(encoding="utf-8")
    assert text == render_contract(), (
        "docs/datenvertrag.md ist veraltet: bitte `make datenvertrag` ausführen."
    )
    for file in CONTRACT_FILES.values():
        assert f"### `{file.filename}`" in text
        assert all(f"| `{column.name}` |" in text for column in file.columns)
