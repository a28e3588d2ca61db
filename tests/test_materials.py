"""The materials vocabulary: what a headline, a cell or a user's word is taken to name."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.materials import (
    MATERIALS,
    Mention,
    UnknownMaterial,
    canonical,
    display_name,
    find_materials,
    materials_in,
    resolve,
)

SHARED_MATERIALS_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "materials.csv"

# (running text, the materials it names, in MATERIALS order)
PHRASES: list[tuple[str, tuple[str, ...]]] = [
    # names, any case
    ("China tightens grip on dysprosium supply", ("Dy",)),
    ("TERBIUM PRICES SOAR AFTER CURBS", ("Tb",)),
    ("Yttrium shortage hits coating makers", ("Y",)),
    ("Scandium, lutetium and samarium added to the list", ("Sm", "Lu", "Sc")),
    ("Holmium, erbium, thulium, europium and ytterbium items", ("Eu", "Ho", "Er", "Tm", "Yb")),
    ("lanthanum and cerium stay uncontrolled", ("La", "Ce")),
    ("gadolinium contrast agents", ("Gd",)),
    ("promethium is synthetic", ("Pm",)),
    # oxides and metals, names and formulas
    ("China restricts dysprosium oxide exports", ("Dy",)),
    ("Dy2O3 quoted at $230/kg in Rotterdam", ("Dy",)),
    ("Tb4O7 and Y2O3 shipments stalled", ("Tb", "Y")),
    ("Pr6O11 and CeO2 prices flat", ("Ce", "Pr")),
    ("yttria and ceria for thermal coatings", ("Ce", "Y")),
    ("dysprosium metal up 4%", ("Dy",)),
    ("DyF3 and TbF3 for grain-boundary diffusion", ("Tb", "Dy")),
    ("GeO2, GeCl4 and Sb2O3 listed", ("Ge", "Sb")),
    ("WO3 and ammonium paratungstate prices", ("W",)),
    # bare symbols where they stand as materials
    ("Dy oxide and Tb metal supply", ("Tb", "Dy")),
    ("Dy-containing magnets need licences", ("Dy",)),
    ("Dy, Tb and Gd exporters wait for licences", ("Gd", "Tb", "Dy")),
    ("Dy/Tb prices jump", ("Tb", "Dy")),
    ("demand for heavy rare earths (Dy, Tb)", ("REE", "Tb", "Dy")),
    ("Ho, Er, Tm, Eu, Yb items", ("Eu", "Ho", "Er", "Tm", "Yb")),
    ("Sm, Gd, Tb, Dy, Lu, Sc, Y (metals, alloys, targets, oxides, compounds)",
     ("Sm", "Gd", "Tb", "Dy", "Lu", "Y", "Sc")),
    ("tungsten (W) and antimony (Sb)", ("Sb", "W")),
    ("Ga and Ge export curbs", ("Ga", "Ge")),
    # NdPr and the group aliases
    ("NdPr oxide hits two-year high", ("Pr", "Nd")),
    ("PrNd and didymium prices", ("Pr", "Nd")),
    ("China's rare earth exports fall 30%", ("REE",)),
    ("rare-earth extraction/separation technology banned", ("REE",)),
    ("Rare-earths and REEs: a primer", ("REE",)),
    ("medium and heavy rare earths controlled", ("REE",)),
    ("light rare earths face no curbs", ("REE",)),
    ("lanthanides explained", ("REE",)),
    ("rare earth elements in phones", ("REE",)),
    ("HREE supply concentrated in Myanmar", ("REE",)),
    # magnets
    ("rare earth magnet exports to US fell 38%", ("REE", "NdFeB")),
    ("rare-earth permanent magnets shipments resume", ("REE", "NdFeB")),
    ("neodymium magnets for EV motors", ("NdFeB",)),
    ("neo magnets and sintered NdFeB", ("NdFeB",)),
    ("Nd-Fe-B and Nd2Fe14B crystal structure", ("NdFeB",)),
    ("NdFeB containing Dy/Tb", ("Tb", "Dy", "NdFeB")),
    ("samarium-cobalt magnets for missiles", ("SmCo",)),
    ("SmCo and Sm2Co17 grades", ("SmCo",)),
    # the other controlled minerals
    ("China lifts export ban on gallium, germanium, antimony to US for a year",
     ("Ga", "Ge", "Sb")),
    ("GaN and GaAs wafers", ("Ga",)),
    ("natural graphite and graphite anode items", ("graphite",)),
    ("graphite pencil art", ("graphite",)),
    ("tungsten carbide tools", ("W",)),
    ("stibnite and wolframite concentrates", ("Sb", "W")),
    # real-style headlines (wording from the policy timeline)
    ("China imposes export control on gallium/germanium items", ("Ga", "Ge")),
    ("China allows a trickle of critical minerals exports ahead of graphite curbs",
     ("graphite",)),
    ("China restricts critical mineral exports to the United States: gallium, germanium, "
     "antimony, superhard materials; stricter graphite review", ("Ga", "Ge", "Sb", "graphite")),
    ("China imposes export controls on medium and heavy rare earth materials",
     ("REE",)),
    ("China issues rare earth licenses to suppliers of top 3 US automakers", ("REE",)),
    ("China suspends export controls on certain critical minerals-related items", ()),
    ("China issues first batch of general rare earth export licenses to magnet makers",
     ("REE",)),
    ("SmCo and Dy/Tb-containing NdFeB magnet materials",
     ("Tb", "Dy", "NdFeB", "SmCo")),
    ("58 lithium-battery/cathode/graphite-anode items", ("graphite",)),
    # false friends
    ("Y Combinator startup raises $20m", ()),
    ("George W. Bush library", ()),
    ("La Nina brings rain to Chile", ()),
    ("Storm hits Atlanta, Ga. overnight", ()),
    ("Ga. (Georgia) voters", ()),
    ("Sc. dept staff", ()),
    ("CE mark for chargers", ()),
    ("Pr (public relations) team hired", ()),
    ("Er, well, maybe", ()),
    ("Eu leaders meet in Brussels", ()),
    ("Ho Chi Minh City port volumes climb", ()),
    ("terbium-free magnets from Japan", ()),
    ("Dy/Tb-free motor design", ()),
    ("non-rare-earth motors gain", ()),
    ("a rare earthquake struck the region", ()),
    ("The Rare Earth hypothesis revisited", ()),
    ("a rare Earth-like planet", ()),
    ("rare birds, scorched earth", ()),
    ("Ho, Ho, Ho: retail sales", ()),
    ("La La Land wins", ()),
    ("Gen Y and Y2K nostalgia", ()),
    ("W3C standard and 10 Tb/s links", ()),
    ("Mayor Lu said on Tuesday", ()),
    ("Tungsten Automation reports earnings", ()),
    ("EU, US and GE sign deal", ()),
    ("RE capacity additions in India", ()),
]


@pytest.mark.parametrize(("text", "expected"), PHRASES, ids=[p[0][:40] for p in PHRASES])
def test_materials_named_in_running_text(text: str, expected: tuple[str, ...]) -> None:
    assert materials_in(text) == expected


def test_mentions_carry_their_span_in_order() -> None:
    text = "Exports of dysprosium oxide and Tb4O7 fell; NdPr held"
    mentions = find_materials(text)
    assert [m.material for m in mentions] == ["Dy", "Tb", "Nd", "Pr"]
    assert all(text[m.start:m.end] == m.text for m in mentions)
    assert mentions[0].text == "dysprosium oxide"
    assert mentions[2] == Mention("Nd", "NdPr", 44, 48)


def test_list_of_symbols_gives_one_mention_per_symbol() -> None:
    mentions = find_materials("Dy, Tb and Gd")
    assert [(m.material, m.start, m.end) for m in mentions] == [
        ("Dy", 0, 2), ("Tb", 4, 6), ("Gd", 11, 13)]


def test_rare_earth_magnets_names_the_group_and_the_magnet_on_one_span() -> None:
    mentions = find_materials("rare earth magnets")
    assert [(m.material, m.text) for m in mentions] == [
        ("REE", "rare earth magnets"), ("NdFeB", "rare earth magnets")]


def test_text_without_materials_gives_nothing() -> None:
    assert find_materials("") == []
    assert materials_in("Stocks rise as the Fed signals a pause") == ()


@pytest.mark.parametrize(("alias", "key"), [
    ("dysprosium", "Dy"), ("Dysprosium", "Dy"), ("Dy", "Dy"), (" DY ", "Dy"),
    ("Dy2O3", "Dy"), ("dysprosium oxide", "Dy"), ("dysprosium metal", "Dy"),
    ("Tb4O7", "Tb"), ("Y2O3", "Y"), ("yttria", "Y"), ("rare-earth", "REE"),
    ("rare earths", "REE"), ("REEs", "REE"), ("heavy rare earths", "REE"),
    ("lanthanides", "REE"), ("rare earth elements", "REE"), ("neodymium magnets", "NdFeB"),
    ("neo magnets", "NdFeB"), ("sintered NdFeB", "NdFeB"), ("NdFeB", "NdFeB"),
    ("samarium-cobalt", "SmCo"), ("samarium cobalt", "SmCo"), ("SmCo", "SmCo"),
    ("natural graphite", "graphite"), ("graphite anode", "graphite"), ("gallium", "Ga"),
    ("GaN", "Ga"), ("germanium", "Ge"), ("antimony", "Sb"), ("tungsten", "W"),
    ("tungsten carbide", "W"), ("W", "W"),
])
def test_canonical_accepts_every_alias_family(alias: str, key: str) -> None:
    assert canonical(alias) == key


def test_unknown_material_names_the_input_and_suggests_a_close_match() -> None:
    with pytest.raises(UnknownMaterial) as caught:
        canonical("dysprosim")
    message = str(caught.value)
    assert "'dysprosim'" in message
    assert "dysprosium (Dy)" in message
    assert caught.value.suggestions == ("Dy",)


def test_unknown_material_without_close_match_says_what_is_expected() -> None:
    with pytest.raises(UnknownMaterial, match=r"'copper'.*dysprosium, Dy, Dy2O3"):
        canonical("copper")


def test_canonical_refuses_an_alias_of_several_materials() -> None:
    with pytest.raises(UnknownMaterial, match=r"'NdPr'.*\(Nd, Pr\)"):
        canonical("NdPr")


def test_unknown_material_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        canonical("")


@pytest.mark.parametrize(("text", "keys"), [
    ("dysprosium (Dy)", ("Dy",)),
    ("Dy", ("Dy",)),
    ("NdPr", ("Nd", "Pr")),
    ("didymium", ("Nd", "Pr")),
    ("NdFeB containing Dy/Tb", ("NdFeB", "Dy", "Tb")),
    ("NdFeB containing Dy", ("NdFeB", "Dy")),
    ("high-performance NdFeB (Dy/Tb-containing)", ("NdFeB", "Dy", "Tb")),
    ("rare-earth items (not disclosed)", ("REE",)),
    ("rare-earth magnet items (not disclosed)", ("REE", "NdFeB")),
    ("NdFeB magnetic materials, components, motor rotors", ("NdFeB",)),
    ("Sm, Y", ("Sm", "Y")),
    ("dy tb", ("Dy", "Tb")),
    ("terbium-free", ()),
    ("copper", ()),
    ("", ()),
])
def test_resolve_reads_cells_and_user_input(text: str, keys: tuple[str, ...]) -> None:
    assert resolve(text) == keys


def test_display_name() -> None:
    assert display_name("Dy") == "dysprosium (Dy)"
    assert display_name("REE") == "rare earths (REE)"
    assert display_name("NdFeB") == "NdFeB magnets"
    assert display_name("graphite") == "graphite"


def test_materials_are_listed_group_first_then_elements_magnets_minerals() -> None:
    keys = list(MATERIALS)
    assert keys[0] == "REE"
    assert keys[1:18] == ["La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho",
                          "Er", "Tm", "Yb", "Lu", "Y", "Sc"]
    assert keys[18:] == ["NdFeB", "SmCo", "Ga", "Ge", "Sb", "graphite", "W"]
    assert all(m.rare_earth == (m.kind in ("element", "group")) for m in MATERIALS.values())


def test_every_alias_leads_back_to_its_material() -> None:
    for material in MATERIALS.values():
        for alias in material.aliases:
            assert material.key in resolve(alias), alias


def _group(usgs_group: str) -> str | None:
    first = usgs_group.split()[0]
    return first if first in ("light", "heavy") else None


def test_facts_match_the_shared_materials_table() -> None:
    if not SHARED_MATERIALS_CSV.exists():
        pytest.skip(f"{SHARED_MATERIALS_CSV} is absent (an installed copy has no ../shared)")
    with SHARED_MATERIALS_CSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 17
    for row in rows:
        material = MATERIALS[row["symbol"]]
        assert material.kind == "element"
        assert material.name == row["element"]
        assert material.group == _group(row["usgs_group"]), row["symbol"]
        assert material.oxide_name == (None if row["common_oxide"] == "-" else row["common_oxide"])
        assert material.oxide_formula == (
            None if row["oxide_formula"] == "-" else row["oxide_formula"])
        assert material.china_control == row["china_control_2025"]
