"""The schema every indicator definition file must satisfy, and readable errors when one does not.

Definitions are YAML files written by analysts, so an error must name the file, the field and
what is expected — never a Python traceback. The JSON Schema exported from these models
(``python -m indicators schema``) lets editors check a file while it is typed.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

THEMES = ("economy", "inclusive", "circular", "climate")
LEVELS = ("country", "nuts2", "tl2", "gdl_region")


class Direction(StrEnum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeriesRef(Strict):
    """Where the raw numbers live in the store: a dataset, and either a series code inside it or
    the SDMX dimension codes that pick the observations (``match``), so that a refreshed SDMX
    dataset — whose series keys are the provider's — feeds the same indicator unchanged."""

    source: str = Field(min_length=1, description="store source folder, e.g. gapminder")
    dataset: str = Field(min_length=1, description="dataset inside the source, e.g. fasttrack")
    code: str | None = Field(None, min_length=1, description="series code inside the dataset, e.g. gdp_pcap")
    match: dict[str, str] | None = Field(
        None, min_length=1, description="SDMX dimension codes the observations must have, e.g. {unit: PC}"
    )
    scale: float = Field(1.0, description="multiply stored values by this (e.g. 0.01 to turn % into a share)")

    @model_validator(mode="after")
    def _code_or_match(self) -> SeriesRef:
        if (self.code is None) == (self.match is None):
            raise ValueError("give exactly one of 'code' (a series code) or 'match' (SDMX dimension codes)")
        return self

    @property
    def label(self) -> str:
        if self.code is not None:
            return f"{self.source}/{self.dataset}/{self.code}"
        return f"{self.source}/{self.dataset} where " + ", ".join(f"{k}={v}" for k, v in sorted(self.match.items()))


class SourceInfo(Strict):
    publisher: str = Field(min_length=1)
    licence: str = Field(min_length=1)
    url: str = ""


#: OECD How's Life framework components ("now, later, elsewhere" plus the spread of outcomes).
FRAMEWORK_COMPONENTS = ("current_wellbeing", "inequality", "resources_for_the_future", "transboundary")


class StatusBands(Strict):
    """Sourced status bands for a target, as the SDSN Sustainable Development Report grades an indicator:
    a ``green`` threshold (at or better = "SDG achieved") and a ``red`` threshold (at or worse = major
    challenges), in the indicator's unit, with the document that sets them.

    Why: a distance-as-a-share rule cannot grade a target of 0 (every non-zero value is 100% away),
    while the SDR, which sets such optima, grades the same indicator with these two thresholds.
    """

    green: float = Field(description="at or better than this value: Achieved (SDR: green, 'SDG achieved')")
    red: float = Field(description="at or worse than this value: Major challenges (SDR: red)")
    document: str = Field(min_length=3, description="the document that sets the thresholds, e.g. the SDR codebook")
    reference: str = Field(min_length=2, description="where in it: indicator code, table or page")
    published: int = Field(ge=1900, le=2100, description="year the document was published")
    url: str = ""
    verified: bool = Field(False, description="thresholds checked against a public copy of the document")

    @property
    def citation(self) -> str:
        prefix = "" if self.verified else "as reported in "
        return f"{prefix}{self.document}, {self.reference}"


class Target(Strict):
    """A goal for the indicator: a value to reach by a year, who set it, and where it is written.

    Social floors and per-capita planetary boundaries from the literature are declared as
    ``at_least`` and ``at_most`` targets with ``source: threshold`` (the label says which); when the
    source gives no deadline, ``year`` is the SDG horizon 2030 and the label says so. ``verified`` is true only
    when the value was checked against a public copy of the document while writing the file;
    otherwise the app says "as reported in".
    """

    value: float
    year: int = Field(ge=1990, le=2100)
    kind: Literal["at_least", "at_most"] = Field(
        description="at_least: reach or exceed (also social floors); at_most: stay at or below (also per-capita "
        "planetary boundaries)"
    )
    source: Literal["SDG", "EU", "OECD", "national", "threshold", "international"]
    label: str = Field(min_length=1, description="e.g. 'SDG 8.5: full employment'")
    url: str = ""
    document: str = Field(min_length=3, description="the document that sets the value, e.g. 'UN A/RES/70/1 (2015)'")
    reference: str = Field(min_length=2, description="where in it: target, article, table or paragraph")
    published: int = Field(ge=1900, le=2100, description="year the document was adopted or published")
    verified: bool = Field(False, description="value checked against a public copy of the document")
    bands: StatusBands | None = Field(
        None,
        description="sourced status thresholds (green, red) that grade the status instead of the distance as a "
        "share, e.g. the SDSN Sustainable Development Report's for an optimum of 0",
    )

    @model_validator(mode="after")
    def _bands_in_order(self) -> Target:
        """Green must lie between the target and red: an at-most target needs value <= green < red, an
        at-least target value >= green > red; otherwise "Achieved" could sit on the wrong side of the goal."""
        if self.bands is None:
            return self
        green, red = self.bands.green, self.bands.red
        if self.kind == "at_most":
            if not red > green:
                raise ValueError(
                    f"bands: for an at_most target lower is better, so red must be greater than green "
                    f"(got green {green:g}, red {red:g})"
                )
            if green < self.value:
                raise ValueError(
                    f"bands: green ({green:g}) must not be below the target value ({self.value:g}) of an at_most "
                    "target; the green threshold is the tolerance around the goal, not a stricter goal"
                )
        else:
            if not red < green:
                raise ValueError(
                    f"bands: for an at_least target higher is better, so red must be less than green "
                    f"(got green {green:g}, red {red:g})"
                )
            if green > self.value:
                raise ValueError(
                    f"bands: green ({green:g}) must not be above the target value ({self.value:g}) of an at_least "
                    "target; the green threshold is the tolerance around the goal, not a stricter goal"
                )
        return self

    @property
    def citation(self) -> str:
        prefix = "" if self.verified else "as reported in "
        return f"{prefix}{self.document}, {self.reference}"

    @property
    def upward(self) -> bool:
        """True when the target is met from above (``at_least``)."""
        return self.kind == "at_least"

    @property
    def green(self) -> float | None:
        """The green threshold of the bands, or None (then the status is the distance as a share)."""
        return None if self.bands is None else self.bands.green

    @property
    def red(self) -> float | None:
        """The red threshold of the bands, or None."""
        return None if self.bands is None else self.bands.red


class Definition(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="equals the file name without .yaml")
    title: str = Field(min_length=3)
    short_title: str = ""
    theme: Literal["economy", "inclusive", "circular", "climate"]
    level: Literal["country", "nuts2", "tl2", "gdl_region"] = "country"
    unit: str = Field(min_length=1)
    measure: Literal["relative", "size"] = Field(
        "relative",
        description=(
            "relative: comparable between places of any size (per person, share, rate, index); size: a count or "
            "total (population, employed thousands, total emissions) that mostly measures how big a place is, "
            "so it is shown but never ranked, put in a peer standing or used in an index"
        ),
    )
    direction: Direction
    description: str = Field(min_length=10)
    why_it_matters: str = ""
    series: SeriesRef | None = None
    official_series: list[SeriesRef] = Field(
        default_factory=list,
        description="official SDMX datasets to read instead of 'series', in order of preference: the first one "
        "that is stored and has observations for the selection is used, 'series' (the snapshot) is the fallback",
    )
    formula: str | None = Field(None, description="a derived measure over other indicator ids, e.g. 'co2_cons / pop'")
    source: SourceInfo
    targets: list[Target] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    framework: Literal["current_wellbeing", "inequality", "resources_for_the_future", "transboundary"] | None = Field(
        None,
        description="OECD How's Life component: current well-being (now), inequality, resources for the future "
        "(later) or transboundary effects (elsewhere)",
    )

    @model_validator(mode="after")
    def _one_origin(self) -> Definition:
        if (self.series is None) == (self.formula is None):
            raise ValueError("give exactly one of 'series' (raw data) or 'formula' (derived from other indicators)")
        if self.official_series and self.series is None:
            raise ValueError("'official_series' needs 'series' as the fallback it is preferred to")
        pairs = [(ref.source, ref.dataset) for ref in self.official_series]
        if self.series is not None and (self.series.source, self.series.dataset) in pairs:
            raise ValueError("an 'official_series' entry names the same dataset as 'series'; remove it")
        if len(set(pairs)) != len(pairs):
            raise ValueError("'official_series' names the same dataset twice; keep one selection per dataset")
        return self

    @property
    def series_in_preference(self) -> list[SeriesRef]:
        """Where the raw numbers may come from, most preferred first: official datasets, then ``series``."""
        return [*self.official_series, self.series] if self.series is not None else []

    @property
    def label(self) -> str:
        return self.short_title or self.title

    @property
    def rankable(self) -> bool:
        """False for size measures (counts, totals): ranking them ranks places by size, not by wellbeing."""
        return self.measure != "size"


class DefinitionError(Exception):
    """One or more problems in a definition file, each naming the file, the field and the fix."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = Path(path)
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


def describe_validation_error(error: ValidationError) -> list[str]:
    """Turn pydantic's errors into one line each: field path, what is wrong, what is expected."""
    lines = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "(file)"
        got = item.get("input")
        message = item["msg"]
        if item["type"] == "missing":
            message = "is required but missing"
        elif item["type"] == "extra_forbidden":
            allowed = ", ".join(sorted(Definition.model_fields))
            message = f"is not a known field (known fields: {allowed})"
        elif item["type"] == "literal_error" or item["type"] == "enum":
            message = f"{message} (got {got!r})"
        lines.append(f"field '{field}': {message}")
    return lines


def json_schema() -> dict:
    return Definition.model_json_schema()
