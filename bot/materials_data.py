"""The facts and aliases behind the materials vocabulary (copied from data/materials.csv)."""

# The 17 rare-earth elements, in the order of ../shared/data/materials.csv (lanthanides by
# atomic number, then Y and Sc). Columns: symbol, name, USGS group (Gd follows USGS:
# light; Sc is in neither group), common oxide, oxide formula, China's control status in
# 2025 (verbatim from the CSV), extra aliases beyond name/symbol/oxide/"<name> metal".
ELEMENTS: tuple[tuple[str, str, str | None, str | None, str | None, str, tuple[str, ...]], ...] = (
    ("La", "lanthanum", "light", "lanthanum oxide", "La2O3", "not listed", ("lanthana",)),
    ("Ce", "cerium", "light", "cerium oxide", "CeO2", "not listed", ("ceria",)),
    ("Pr", "praseodymium", "light", "praseodymium oxide", "Pr6O11", "not listed", ()),
    ("Nd", "neodymium", "light", "neodymium oxide", "Nd2O3", "not listed", ()),
    ("Pm", "promethium", "light", None, None, "n/a (synthetic)", ()),
    ("Sm", "samarium", "light", "samarium oxide", "Sm2O3", "Ann.18 (1C902) 2025-04-04", ()),
    ("Eu", "europium", "light", "europium oxide", "Eu2O3",
     "Ann.57 (1C912) 2025-10-09 - suspended to 2026-11-10", ()),
    ("Gd", "gadolinium", "light", "gadolinium oxide", "Gd2O3", "Ann.18 (1C903) 2025-04-04",
     ("gadolinia",)),
    ("Tb", "terbium", "heavy", "terbium oxide", "Tb4O7", "Ann.18 2025-04-04", ()),
    ("Dy", "dysprosium", "heavy", "dysprosium oxide", "Dy2O3", "Ann.18 2025-04-04",
     ("DyFe", "dysprosium-iron")),
    ("Ho", "holmium", "heavy", "holmium oxide", "Ho2O3",
     "Ann.57 (1C909) - suspended to 2026-11-10", ()),
    ("Er", "erbium", "heavy", "erbium oxide", "Er2O3", "Ann.57 (1C910) - suspended", ()),
    ("Tm", "thulium", "heavy", "thulium oxide", "Tm2O3", "Ann.57 (1C911) - suspended", ()),
    ("Yb", "ytterbium", "heavy", "ytterbium oxide", "Yb2O3", "Ann.57 - suspended", ()),
    ("Lu", "lutetium", "heavy", "lutetium oxide", "Lu2O3", "Ann.18 2025-04-04", ()),
    ("Y", "yttrium", "heavy", "yttrium oxide", "Y2O3", "Ann.18 2025-04-04", ("yttria", "YF3")),
    ("Sc", "scandium", None, "scandium oxide", "Sc2O3", "Ann.18 2025-04-04", ()),
)

# The rare earths as a group (Ann.18 named Sm Gd Tb Dy Lu Sc Y; Ann.57 Ho Er Tm Eu Yb).
REE_CONTROL = "Ann.18 2025-04-04; Ann.57 2025-10-09 - suspended to 2026-11-10"
REE_ALIASES: tuple[str, ...] = (
    "rare earths", "rare earth", "rare-earth", "rare-earths", "REE", "REEs",
    "rare earth elements", "rare-earth elements", "rare earth metals", "rare earth oxides",
    "heavy rare earths", "heavy rare earth", "light rare earths", "light rare earth",
    "HREE", "HREEs", "LREE", "LREEs", "lanthanides", "lanthanide",
)

# Magnets and the other minerals China controls: key, name, kind, oxide name, oxide
# formula, control status (from ../shared/data/policy_timeline.csv; tungsten from MOFCOM
# Announcement No. 10 of 2025, which the timeline does not list), aliases.
OTHERS: tuple[tuple[str, str, str, str | None, str | None, str, tuple[str, ...]], ...] = (
    ("NdFeB", "NdFeB magnets", "magnet", None, None,
     "Ann.18 2025-04-04 (Dy/Tb-containing magnet materials)",
     ("NdFeB magnets", "NdFeB magnet", "neodymium magnets", "neodymium magnet",
      "neo magnets", "neo magnet", "sintered NdFeB", "bonded NdFeB", "Nd-Fe-B", "Nd2Fe14B",
      "neodymium-iron-boron", "neodymium iron boron magnets")),
    ("SmCo", "SmCo magnets", "magnet", None, None, "Ann.18 2025-04-04",
     ("SmCo magnets", "SmCo magnet", "samarium-cobalt", "samarium-cobalt magnets",
      "samarium-cobalt magnet", "Sm-Co", "SmCo5", "Sm2Co17")),
    ("Ga", "gallium", "mineral", "gallium oxide", "Ga2O3",
     "licence 2023-08-01; US ban (Ann.46) suspended to 2026-11-27",
     ("gallium metal", "gallium nitride", "GaN", "gallium arsenide", "GaAs")),
    ("Ge", "germanium", "mineral", "germanium dioxide", "GeO2",
     "licence 2023-08-01; US ban (Ann.46) suspended to 2026-11-27",
     ("germanium metal", "germanium tetrachloride", "GeCl4")),
    ("Sb", "antimony", "mineral", "antimony trioxide", "Sb2O3",
     "licence 2024-09-15; US ban (Ann.46) suspended to 2026-11-27",
     ("antimony metal", "antimony ingots", "stibnite")),
    ("graphite", "graphite", "mineral", None, None,
     "licence 2023-12-01; Ann.58 anode items suspended to 2026-11-10",
     ("natural graphite", "synthetic graphite", "spherical graphite", "flake graphite",
      "graphite anode", "graphite anodes", "graphite anode material")),
    ("W", "tungsten", "mineral", "tungsten trioxide", "WO3", "Ann.10 2025-02-04",
     ("tungsten metal", "tungsten carbide", "tungsten oxide", "ammonium paratungstate",
      "wolframite", "scheelite", "WF6", "WS2")),
)

# Aliases that stand for several materials at once, in the order they are reported.
MULTI: dict[str, tuple[str, ...]] = {
    "NdPr": ("Nd", "Pr"),
    "PrNd": ("Nd", "Pr"),
    "Nd-Pr": ("Nd", "Pr"),
    "Pr-Nd": ("Nd", "Pr"),
    "NdPr oxide": ("Nd", "Pr"),
    "NdPr metal": ("Nd", "Pr"),
    "didymium": ("Nd", "Pr"),
    "rare earth magnets": ("REE", "NdFeB"),
    "rare earth magnet": ("REE", "NdFeB"),
    "rare earth permanent magnets": ("REE", "NdFeB"),
    "rare earth permanent magnet": ("REE", "NdFeB"),
    "heavy rare earth magnets": ("REE", "NdFeB"),
    "heavy rare earth magnet": ("REE", "NdFeB"),
}

# Words that make a bare symbol a material: "Dy oxide", "Tb metal", "Dy-containing".
SYMBOL_CONTEXT_WORDS: tuple[str, ...] = (
    "oxide", "oxides", "metal", "metals", "alloy", "alloys", "compound", "compounds",
    "carbonate", "chloride", "fluoride", "nitrate", "concentrate", "concentrates",
    "ingot", "ingots", "powder", "target", "targets", "salts", "containing", "bearing",
    "doped", "rich",
)

# Chinese names, simplified then traditional (where they differ), as used in MOFCOM notices
# and the Chinese press. Oxides and metals need no entry: 氧化镝 and 金属镝 contain 镝.
ZH_NAMES: dict[str, tuple[str, ...]] = {
    "REE": ("稀土", "稀土元素", "稀土金属", "中重稀土", "重稀土", "轻稀土", "輕稀土", "稀土类",
            "稀土類"),
    "La": ("镧", "鑭"), "Ce": ("铈", "鈰"), "Pr": ("镨", "鐠"), "Nd": ("钕", "釹"),
    "Pm": ("钷", "鉕"), "Sm": ("钐", "釤"), "Eu": ("铕", "銪"), "Gd": ("钆", "釓"),
    "Tb": ("铽", "鋱"), "Dy": ("镝", "鏑"), "Ho": ("钬", "鈥"), "Er": ("铒", "鉺"),
    "Tm": ("铥", "銩"), "Yb": ("镱", "鐿"), "Lu": ("镥", "鎦", "鑥"), "Y": ("钇", "釔"),
    "Sc": ("钪", "鈧"),
    "NdFeB": ("钕铁硼", "釹鐵硼", "钕磁铁", "釹磁鐵", "钕铁硼永磁", "釹鐵硼永磁", "永磁体", "永磁體",
              "永磁铁", "永磁鐵", "永磁材料"),
    "SmCo": ("钐钴", "釤鈷", "钐钴永磁", "釤鈷永磁"),
    "Ga": ("镓", "鎵"), "Ge": ("锗", "鍺"), "Sb": ("锑", "銻"), "graphite": ("石墨",),
    "W": ("钨", "鎢"),
}
# Chinese names of several materials at once.
ZH_MULTI: dict[str, tuple[str, ...]] = {
    "稀土永磁": ("REE", "NdFeB"), "稀土永磁体": ("REE", "NdFeB"), "稀土永磁體": ("REE", "NdFeB"),
    "稀土磁体": ("REE", "NdFeB"), "稀土磁體": ("REE", "NdFeB"), "稀土磁铁": ("REE", "NdFeB"),
    "稀土磁鐵": ("REE", "NdFeB"), "镨钕": ("Nd", "Pr"), "鐠釹": ("Nd", "Pr"),
}
# Words that contain a Chinese name but are no watched material: graphene, cobalt-free ...
ZH_NOT: tuple[str, ...] = ("石墨烯", "无稀土", "無稀土", "非稀土")

# What a product or group contains (a route on the left hears of alerts on the right).
CONTAINS: dict[str, tuple[str, ...]] = {
    "REE": tuple(row[0] for row in ELEMENTS),
    "NdFeB": ("Nd", "Pr", "Dy", "Tb", "REE"),
    "SmCo": ("Sm", "REE"),
}
