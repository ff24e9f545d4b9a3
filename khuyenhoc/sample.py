"""Deterministic example data: the illustrative Bắc Kạn table and synthetic large tables."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from khuyenhoc.fsutil import atomic_write_bytes, atomic_write_text
from khuyenhoc.i18n import column_header
from khuyenhoc.lineage import COLUMNS as LINEAGE_COLUMNS
from khuyenhoc.lineage import HEADERS as LINEAGE_HEADERS
from khuyenhoc.lineage import SHEET as LINEAGE_SHEET
from khuyenhoc.lineage import lineage_csv
from khuyenhoc.paths import lineage_path
from khuyenhoc.schema import AMOUNT_PAIRS, CANONICAL, OPTIONAL_COLUMNS, TITLE_PAIRS
from khuyenhoc.table import ILLUSTRATIVE_NOTE, SYNTHETIC_NOTE, origin_path

SEED = 2013
DISTRICT_ID = "thi-hoi"

# unit_id, name, level as written, population in 2013 (sums to the ~45,600 implied by the report)
BAC_KAN_UNITS = (
    ("duc-xuan", "Phường Đức Xuân", "phường", 9_300),
    ("song-cau", "Phường Sông Cầu", "phường", 7_900),
    ("phung-chi-kien", "Phường Phùng Chí Kiên", "phường", 6_800),
    ("nguyen-thi-minh-khai", "Phường Nguyễn Thị Minh Khai", "phường", 6_900),
    ("nong-thuong", "Xã Nông Thượng", "xã", 3_400),
    ("duong-quang", "Xã Dương Quang", "xã", 3_200),
    ("huyen-tung", "Xã Huyền Tụng", "xã", 4_700),
    ("xuat-hoa", "Xã Xuất Hóa", "xã", 3_400),
)
DISTRICT = (DISTRICT_ID, "Hội Khuyến học thị xã Bắc Kạn", "thị xã")

# Town totals per year. 2013: the published report. 2012: estimates derived from it
# (members 9,123 / 1.056; fund 343,380,000 - 41,000,000). Earlier years: plausible, made up.
TOTALS = {
    #       members bacc bach clans(reg, rec) classes participants commune fund  district fund
    2009: (7_468, 655, 171, 3, 2, 214, 9_640, 198_600_000, 24_000_000),
    2010: (7_902, 702, 190, 4, 3, 236, 10_730, 221_450_000, 26_500_000),
    2011: (8_215, 751, 208, 5, 3, 251, 11_620, 243_910_000, 28_000_000),
    2012: (8_639, 803, 231, 5, 4, 269, 12_770, 270_880_000, 31_500_000),
    2013: (9_123, 854, 257, 6, 6, 288, 13_649, 308_145_000, 35_235_000),
}
NO_TRAINING = {2010: {"duong-quang"}, 2013: {"xuat-hoa"}}
POPULATION_GROWTH = 0.012


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights (largest remainder); sums exactly to total."""
    weights = np.asarray(weights, dtype="float64")
    if total == 0 or weights.sum() == 0:
        return np.zeros(len(weights), dtype="int64")
    exact = total * weights / weights.sum()
    shares = np.floor(exact).astype("int64")
    order = np.argsort(-(exact - shares), kind="stable")
    shares[order[: total - shares.sum()]] += 1
    return shares


def bac_kan_sample() -> pd.DataFrame:
    """The illustrative per-unit table for Bắc Kạn town, 2009–2013, canonical columns.

    Its 2013 totals equal the published report; 2012 totals equal the derived estimates.
    """
    rng = np.random.default_rng(SEED)
    ids = [u[0] for u in BAC_KAN_UNITS]
    population_2013 = np.array([u[3] for u in BAC_KAN_UNITS], dtype="float64")
    member_rate = rng.uniform(0.16, 0.24, len(ids))
    fund_rate = rng.uniform(0.7, 1.3, len(ids))
    fund_rate[ids.index("nong-thuong")] = 0.25  # one unit raises far less per member
    rows = []
    for year, (members, bacc, bach, reg, rec, classes, participants, fund_c, fund_d) in TOTALS.items():
        population = np.round(population_2013 / (1 + POPULATION_GROWTH) ** (2013 - year)).astype("int64")
        if year == 2013:
            population = population_2013.astype("int64")
        noise = lambda: rng.uniform(0.9, 1.1, len(ids))  # noqa: E731
        member_split = apportion(members, population * member_rate * noise())
        trained = np.array([uid not in NO_TRAINING.get(year, set()) for uid in ids])
        class_split = apportion(classes, population * trained * noise())
        participant_split = apportion(participants, class_split * rng.uniform(0.8, 1.2, len(ids)))
        registered = apportion(reg, population * noise())
        recognised = registered.copy()
        for _ in range(reg - rec):
            candidates = np.flatnonzero(recognised > 0)
            recognised[rng.choice(candidates)] -= 1
        fund_split = apportion(fund_c // 1000, member_split * fund_rate * noise()) * 1000
        families = [apportion(bacc, member_split * noise()), apportion(bach, member_split * noise())]
        for i, (uid, name, level, _) in enumerate(BAC_KAN_UNITS):
            rows.append((year, uid, name, level, int(population[i]), int(member_split[i]), int(families[0][i]), int(families[1][i]),
                         int(registered[i]), int(recognised[i]), int(class_split[i]), int(participant_split[i]), int(fund_split[i]), ILLUSTRATIVE_NOTE,
                         DISTRICT_ID))
        rows.append((year, *DISTRICT, None, 0, 0, 0, 0, 0, 0, 0, fund_d, ILLUSTRATIVE_NOTE, None))
    columns = [c for c in CANONICAL if c not in OPTIONAL_COLUMNS]  # 2009-2013: none of the optional groups
    frame = pd.DataFrame(rows, columns=[*(c for c in columns if c != "parent_id"), "parent_id"])[columns]
    frame["population"] = frame["population"].astype("Int64")
    return frame


REFORM_YEAR = 2025  # from 1 July 2025 local government has two tiers: no districts
SHAPES = ("auto", "three-tier", "two-tier")
COMMUNES_PER_DISTRICT = 14.3  # about 10,000 communes in 700 districts and 63 provinces before the reform
COMMUNES_PER_PROVINCE = {"three-tier": 159, "two-tier": 97}  # about 3,300 communes in 34 provinces after it
MAX_PROVINCES = {"three-tier": 63, "two-tier": 34}
MERGE_EVERY = 25  # crossing the reform, one commune in this many absorbs its neighbour


def _tiers(years: list[int], shape: str) -> dict[int, str]:
    """year -> "three-tier" or "two-tier"; ``auto`` follows the 2025 reform."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}, not {shape!r}")
    if shape != "auto":
        return dict.fromkeys(years, shape)
    return {year: "two-tier" if year >= REFORM_YEAR else "three-tier" for year in years}


def _commune_rows(rng: np.random.Generator, units: int, years: list[int]) -> pd.DataFrame:
    n = units * len(years)
    year = np.repeat(years, units)
    index = np.tile(np.arange(1, units + 1), len(years))
    base_population = rng.integers(2_000, 25_000, units)
    population = (np.tile(base_population, len(years)) * (1 + POPULATION_GROWTH) ** (year - years[0])).astype("int64")
    members = (population * rng.uniform(0.1, 0.3, n)).astype("int64")
    classes = rng.integers(0, 60, n)
    classes[rng.random(n) < 0.05] = 0
    registered = rng.integers(0, 12, n)
    return pd.DataFrame(
        {
            "year": year,
            "unit_id": [f"u{i:06d}" for i in index],
            "unit_name": [f"Xã giả lập {i:06d}" for i in index],
            "level": "xã",
            "population": population,
            "members": members,
            "baccalaureate_families": (members * rng.uniform(0.05, 0.12, n)).astype("int64"),
            "bachelor_families": (members * rng.uniform(0.01, 0.04, n)).astype("int64"),
            "clans_registered": registered,
            "clans_recognised": (registered * rng.uniform(0, 1, n)).astype("int64"),
            "training_classes": classes,
            "training_participants": classes * rng.integers(20, 70, n),
            "fund_vnd": (members * rng.uniform(10_000, 60_000, n)).astype("int64") // 1000 * 1000,
            "note": SYNTHETIC_NOTE,
            "_commune": index - 1,
        }
    )


def _area_rows(rng: np.random.Generator, year: int, ids: list[str], names: list[str], level: str, parents: list[str | None]) -> pd.DataFrame:
    """Rows of associations above the communes: their own fund; 0 in the counts, population blank."""
    count = len(ids)
    return pd.DataFrame(
        {"year": year, "unit_id": ids, "unit_name": names, "level": level, "parent_id": parents, "population": pd.NA,
         "members": 0, "baccalaureate_families": 0, "bachelor_families": 0, "clans_registered": 0, "clans_recognised": 0,
         "training_classes": 0, "training_participants": 0, "fund_vnd": rng.integers(10_000, 90_000, count) * 1000, "note": SYNTHETIC_NOTE}
    )


def _absorbing(district_of: np.ndarray) -> list[int]:
    """The communes (0-based) that absorb their next neighbour crossing the reform: one in ``MERGE_EVERY``, same district."""
    return [i for i in range(0, len(district_of) - 1, MERGE_EVERY) if district_of[i] == district_of[i + 1]]


def _merge_pairs(communes: pd.DataFrame, district_of: np.ndarray) -> pd.DataFrame:
    """Two-tier years of a span crossing the reform: every ``MERGE_EVERY``-th commune and the next one in its
    district become one new unit (new id and name), whose figures are the two communes' sums."""
    absorbing = _absorbing(district_of)
    if not absorbing:
        return communes
    pair_of = {i: i for i in absorbing} | {i + 1: i for i in absorbing}
    merging = communes["_commune"].isin(list(pair_of))
    merged = communes[merging].assign(_pair=lambda f: f["_commune"].map(pair_of))
    sums = merged.groupby(["year", "_pair"], as_index=False).agg(
        {c: "sum" for c in ("population", "members", "baccalaureate_families", "bachelor_families", "clans_registered",
                            "clans_recognised", "training_classes", "training_participants", "fund_vnd")} | {"parent_id": "first"})
    sums = sums.assign(unit_id=[f"m{i + 1:06d}" for i in sums["_pair"]], unit_name=[f"Xã giả lập hợp nhất {i + 1:06d}" for i in sums["_pair"]],
                       level="xã", note=SYNTHETIC_NOTE, _commune=sums["_pair"])
    return pd.concat([communes[~merging], sums.drop(columns="_pair")], ignore_index=True)


def synthetic_table(units: int, years: range | list[int], seed: int = 0, shape: str = "auto") -> pd.DataFrame:
    """A valid, clearly synthetic table: ``units`` communes spread over provinces (and districts), deterministic.

    ``shape``: ``three-tier`` (province, district, commune), ``two-tier`` (province, commune), or ``auto``:
    three tiers before 2025 and two from 2025 on; when the span crosses 2025 the districts are dissolved,
    their communes move under the province and a few communes merge into new units.
    """
    rng = np.random.default_rng(seed)
    years = list(years)
    tiers = _tiers(years, shape)
    three = "three-tier" in tiers.values()
    provinces, districts, district_of = _layout(units, three)
    province_of_district = np.arange(districts) * provinces // districts
    province_ids = [f"t{p + 1:02d}" for p in range(provinces)]
    district_ids = [f"h{d + 1:04d}" for d in range(districts)]
    communes = _commune_rows(rng, units, years)
    commune_district = district_of[communes["_commune"].to_numpy()]
    parts = []
    for year in years:
        in_year = (communes["year"] == year).to_numpy()
        block = communes[in_year]
        if tiers[year] == "three-tier":
            block = block.assign(parent_id=[district_ids[d] for d in commune_district[in_year]])
            parts.append(_area_rows(rng, year, province_ids, [f"Tỉnh giả lập {p + 1:02d}" for p in range(provinces)], "tỉnh", [None] * provinces))
            parts.append(_area_rows(rng, year, district_ids, [f"Huyện giả lập {d + 1:04d}" for d in range(districts)], "huyện",
                                    [province_ids[p] for p in province_of_district]))
        else:
            block = block.assign(parent_id=[province_ids[province_of_district[d]] for d in commune_district[in_year]])
            if three:
                block = _merge_pairs(block, district_of)
            parts.append(_area_rows(rng, year, province_ids, [f"Tỉnh giả lập {p + 1:02d}" for p in range(provinces)], "tỉnh", [None] * provinces))
        parts.append(block.drop(columns="_commune"))
    frame = pd.concat(parts, ignore_index=True)
    frame["population"] = frame["population"].astype("Int64")
    return _with_groups(_with_titles(frame, seed), seed)[CANONICAL]


def _layout(units: int, three: bool) -> tuple[int, int, np.ndarray]:
    """(provinces, districts, each commune's district) of a synthetic table."""
    per_province = COMMUNES_PER_PROVINCE["three-tier" if three else "two-tier"]
    provinces = int(np.clip(round(units / per_province), 1, MAX_PROVINCES["three-tier" if three else "two-tier"]))
    districts = int(np.clip(round(units / COMMUNES_PER_DISTRICT), provinces, units))
    return provinces, districts, np.arange(units) * districts // units


def synthetic_lineage(units: int, years: range | list[int], shape: str = "auto") -> pd.DataFrame:
    """The lineage of the mergers :func:`synthetic_table` makes (year, from_unit_id, to_unit_id, share): in the first
    two-tier year after a three-tier one, each absorbing commune and its neighbour go whole into their new unit.
    Empty when the span does not cross the reform."""
    years = list(years)
    tiers = _tiers(years, shape)
    crossing = [y for y in years if tiers[y] == "two-tier" and tiers.get(y - 1) == "three-tier"]
    rows = []
    if crossing:
        for i in _absorbing(_layout(units, True)[2]):
            rows += [(crossing[0], f"u{i + 1:06d}", f"m{i + 1:06d}", 1.0), (crossing[0], f"u{i + 2:06d}", f"m{i + 1:06d}", 1.0)]
    return pd.DataFrame(rows, columns=list(LINEAGE_COLUMNS))


def write_sample_workbook(path: str | Path, frame: pd.DataFrame, lineage: pd.DataFrame | None = None) -> Path:
    """Write a table as an XLSX workbook with the Vietnamese headers (the data on the first sheet) and, when given,
    its lineage on a sheet named ``Kế thừa`` (read without any flag); whole or not at all."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    data = workbook.create_sheet("Số liệu")
    data.append([column_header(c, "vi") for c in frame.columns])
    for row in frame.itertuples(index=False):
        data.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row])
    if lineage is not None and len(lineage):
        sheet = workbook.create_sheet(LINEAGE_SHEET)
        sheet.append([LINEAGE_HEADERS[c][0] for c in LINEAGE_COLUMNS])
        for row in lineage[list(LINEAGE_COLUMNS)].itertuples(index=False):
            sheet.append([int(row[0]), row[1], row[2], float(row[3])])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return atomic_write_bytes(path, buffer.getvalue())


TITLES_FROM = 2021  # the first year of the Quyết định 387/QĐ-TTg programme: earlier years leave the titles blank
# per title: (total per commune: low, high, or households per person), share in TITLES_FROM (low, high), yearly gain (low, high)
TITLE_SHAPES = {
    "households": ((1 / 4.2, 1 / 3.4), (0.52, 0.70), (0.010, 0.035)),
    "clans": ((3, 40), (0.45, 0.66), (0.010, 0.035)),
    "communities": ((4, 22), (0.45, 0.66), (0.010, 0.035)),
    "organisations": ((4, 30), (0.60, 0.82), (0.005, 0.030)),
}


def _with_titles(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The learning-society columns: commune rows from 2021 on, a share per commune growing a little each year
    towards the programme's targets (capped at the total); blank before 2021 and on area rows. Drawn from their
    own generator, so every other column is what it was before these columns existed."""
    rng = np.random.default_rng([seed, 387])
    frame = frame.copy()
    reporting = ((frame["level"] == "xã") & (frame["year"] >= TITLES_FROM)).to_numpy()
    codes, units = pd.factorize(frame["unit_id"])
    years_in = (frame["year"].to_numpy() - TITLES_FROM).clip(min=0)
    population = frame["population"].to_numpy(dtype="float64", na_value=0.0)
    for total, recognised in TITLE_PAIRS:
        (low, high), start, gain = TITLE_SHAPES[total]
        if total == "households":
            counts = np.floor(population * rng.uniform(low, high, len(units))[codes])
        else:
            counts = rng.integers(int(low), int(high) + 1, len(units))[codes].astype("float64")
        share = np.minimum(rng.uniform(*start, len(units))[codes] + rng.uniform(*gain, len(units))[codes] * years_in, 1.0)
        frame[total] = pd.array(np.where(reporting, counts, np.nan), dtype="Float64").round().astype("Int64")
        frame[recognised] = pd.array(np.where(reporting, np.floor(counts * share), np.nan), dtype="Float64").astype("Int64")
    return frame


# issue 19's groups on commune rows from these years on (blank before and on area rows): a file may carry a group for some years only
GROUPS_FROM = {"organisation": 2022, "learning_citizens": 2023, "support": 2022, "centres": 2024}
ADULT_SHARE = (0.62, 0.74)  # adults per inhabitant
CITIZENS_START, CITIZENS_GAIN = (0.22, 0.42), (0.02, 0.05)  # learning citizens per adult in the first year, and its yearly gain
# per count: (count per commune: low, high), (đồng each: low, high); a fifth of the communes give no support at all
AMOUNT_SHAPES = {"scholarships": ((5, 60), (300_000, 1_500_000)), "support": ((0, 80), (200_000, 1_000_000)),
                 "awards": ((20, 300), (50_000, 300_000))}


def _counts(values: np.ndarray, reporting: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.array(np.where(reporting, values, np.nan), dtype="Float64").round().astype("Int64")


def _with_groups(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The optional groups of issue 19 (organisation, learning citizens, scholarships/support/awards, community learning
    centres) on commune rows from ``GROUPS_FROM``. Drawn from their own generator, so every other column is what it was
    before these columns existed."""
    rng = np.random.default_rng([seed, 19])
    frame = frame.copy()
    n = len(frame)
    commune = (frame["level"] == "xã").to_numpy()
    year = frame["year"].to_numpy()
    codes, units = pd.factorize(frame["unit_id"])
    population = frame["population"].to_numpy(dtype="float64", na_value=0.0)

    def reporting(group: str) -> np.ndarray:
        return commune & (year >= GROUPS_FROM[group])

    branches = rng.integers(4, 31, len(units))[codes] + rng.integers(0, 3, n)  # about one per village, a few more or less each year
    frame["branches"] = _counts(branches, reporting("organisation"))
    frame["boards"] = _counts(rng.integers(1, 11, len(units))[codes], reporting("organisation"))
    adults = np.floor(population * rng.uniform(*ADULT_SHARE, len(units))[codes])
    years_in = (year - GROUPS_FROM["learning_citizens"]).clip(min=0)
    share = np.minimum(rng.uniform(*CITIZENS_START, len(units))[codes] + rng.uniform(*CITIZENS_GAIN, len(units))[codes] * years_in, 1.0)
    frame["adults"] = _counts(adults, reporting("learning_citizens"))
    frame["learning_citizens"] = _counts(np.floor(adults * share), reporting("learning_citizens"))
    for count, value in AMOUNT_PAIRS:
        (low, high), (each_low, each_high) = AMOUNT_SHAPES[count]
        given = rng.integers(low, high + 1, n)
        if count == "support":
            given[rng.random(n) < 0.2] = 0
        frame[count] = _counts(given, reporting("support"))
        frame[value] = _counts(given * (rng.uniform(each_low, each_high, n) // 1000 * 1000), reporting("support"))
    classes = rng.integers(0, 41, n)
    frame["centre_classes"] = _counts(classes, reporting("centres"))
    frame["centre_learners"] = _counts(classes * rng.integers(15, 61, n), reporting("centres"))
    return frame


def to_csv_text(frame: pd.DataFrame, sep: str = ",") -> str:
    """CSV with the Vietnamese headers people fill in."""
    buffer = io.StringIO()
    frame.rename(columns={c: column_header(c, "vi") for c in frame.columns}).to_csv(buffer, index=False, sep=sep, lineterminator="\n")
    return buffer.getvalue()


SAMPLE_ORIGIN = {
    "title": "Số liệu minh hoạ theo đơn vị, Hội Khuyến học thị xã Bắc Kạn, 2009–2013",
    "title_en": "Illustrative per-unit figures, study-encouragement association of Bắc Kạn town, 2009–2013",
    "illustrative": True,
    "producer": "khuyenhoc (khuyenhoc.sample.bac_kan_sample)",
    "description": (
        "Made by a deterministic generator. The 2013 totals equal the published report's figures; "
        "the 2012 totals equal estimates derived from its growth figures; the split between units and the "
        "years 2009-2011 are made up. The report gives no per-unit figures."
    ),
    "based_on": "data/published/bac-kan-2013-report.csv",
    "licence": "CC0-1.0",
}


SYNTHETIC_ORIGIN = {
    "title": "Số liệu giả lập quy mô lớn (không phải số liệu thật)",
    "title_en": "Synthetic national-scale table (not real data)",
    "synthetic": True,
    "illustrative": False,
    "producer": "khuyenhoc sample (khuyenhoc.sample.synthetic_table)",
    "description": "Random but valid figures for trying scale and for benchmarks. Every row's note says it is synthetic.",
    "licence": "CC0-1.0",
}


def write_sample_files(path: str | Path, frame: pd.DataFrame, origin: dict, lineage: pd.DataFrame | None = None) -> Path:
    """Write a table as CSV (or XLSX, by the suffix) plus its origin record, each atomically; a lineage, when given and
    not empty, goes beside a CSV (:func:`lineage_path`) or on the workbook's sheet ``Kế thừa``."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        write_sample_workbook(path, frame, lineage)
    else:
        atomic_write_text(path, to_csv_text(frame))
        if lineage is not None and len(lineage):
            atomic_write_text(lineage_path(path), lineage_csv(lineage))
    atomic_write_text(origin_path(path), json.dumps(origin, ensure_ascii=False, indent=2) + "\n")
    return path


if __name__ == "__main__":
    from khuyenhoc.paths import SAMPLE_DATA

    write_sample_files(SAMPLE_DATA, bac_kan_sample(), SAMPLE_ORIGIN)
    print(SAMPLE_DATA)
