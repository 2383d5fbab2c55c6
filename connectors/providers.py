"""The SDMX provider registry and the dataset catalogue: both are YAML data, this module reads them.

Keeping providers and queries as data (after sdmx1's ``sources.json``) is what makes adding a provider
or a dataset a one-entry change. Everything a refresh needs to know about *how* to ask a provider —
URL shape, format parameters or Accept header, rate limit, licence — lives in ``providers.yaml``;
*what* to ask for lives in ``catalogue.yaml``. :func:`build_url` is the one place both meet.

A bad file fails loudly with :class:`RegistryError`, whose message names the file, the entry, the
field and what is wrong.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlencode

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from connectors import yaml_loader

HERE = Path(__file__).resolve().parent
PROVIDERS_FILE = HERE / "providers.yaml"
CATALOGUE_FILE = HERE / "catalogue.yaml"
USER_AGENT = "beyond-gdp-refresh/0.1 (open-source wellbeing dashboard; python-requests)"

CITATION_FIELDS = {"publisher", "title", "dataflow", "url", "retrieved", "year"}
# SDMX IDs plus the key syntax: codes, "+" between alternatives, "." between dimensions.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_@\-+.*]*$")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")
RESERVED_PARAMS = {"format", "updatedAfter"}


class RegistryError(Exception):
    """providers.yaml or catalogue.yaml is wrong; the message names file, entry, field and fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FormatSpec(_Strict):
    """How to ask a provider for one format: an Accept header, query parameters, or both."""

    family: Literal["csv", "xml", "json"]
    accept: str | None = None
    params: dict[str, str] = Field(default_factory=dict)


class RateLimit(_Strict):
    requests: int = Field(gt=0)
    per_seconds: float = Field(gt=0)

    @property
    def interval(self) -> float:
        return self.per_seconds / self.requests


class Provider(_Strict):
    id: str
    name: str
    sdmx1_id: str | None = None
    base_url: str
    api_version: Literal["2.1", "3.0"]
    data_path: str
    flow_ref: Literal["agency,id,version", "agency,id", "id"]
    empty_key: str = "all"
    formats: dict[str, FormatSpec]
    request_format: str
    default_params: dict[str, str] = Field(default_factory=dict)
    #: One window or several (OECD: 20 per minute AND 60 per hour); every window is kept.
    rate_limit: list[RateLimit] = Field(min_length=1)
    supports_updated_after: bool
    licence: str
    citation: str
    documentation: str
    #: The overall deadline of one request, headers and body together: a body trickling in byte by byte
    #: fails here, not only one that stops (that is ``stall_seconds``, the longest silence tolerated).
    timeout_seconds: float = Field(default=120, gt=0)
    stall_seconds: float = Field(default=30, gt=0)
    #: Largest answer accepted, checked while it streams in (after decompression): never buffered to find out.
    max_response_mib: float = Field(default=256, gt=0)
    notes: str = ""

    @field_validator("rate_limit", mode="before")
    @classmethod
    def _one_or_more_windows(cls, value):
        return [value] if isinstance(value, dict) else value

    @property
    def rate_limits(self) -> list[RateLimit]:
        return list(self.rate_limit)

    @property
    def max_response_bytes(self) -> int:
        return int(self.max_response_mib * (1 << 20))

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must start with http:// or https:// followed by a host")
        if value.endswith("/"):
            raise ValueError("must not end with '/' (data_path supplies the separator)")
        return value

    @field_validator("data_path")
    @classmethod
    def _data_path(cls, value: str) -> str:
        if "{flow_ref}" not in value or "{key}" not in value or value.startswith("/"):
            raise ValueError("must contain {flow_ref} and {key} and not start with '/', e.g. data/{flow_ref}/{key}")
        return value

    @field_validator("citation")
    @classmethod
    def _citation(cls, value: str) -> str:
        return _check_citation(value)

    @model_validator(mode="after")
    def _request_format_offered(self) -> Provider:
        if self.request_format not in self.formats:
            raise ValueError(f"request_format {self.request_format!r} is not one of formats {sorted(self.formats)}")
        return self

    @property
    def requested(self) -> FormatSpec:
        return self.formats[self.request_format]


class Dataflow(_Strict):
    agency: str = ""
    id: str
    version: str = ""
    #: The id of the flow's data structure (DSD), for providers whose messages name the DSD instead of the
    #: flow and whose DSD id is neither the flow id (Eurostat) nor its part before '@' (OECD): ECB's EXR
    #: flow uses ECB_EXR1. The refresh refuses a message naming any other structure.
    structure: str = ""

    def ref(self, style: str) -> str:
        if style == "id":
            return self.id
        if style == "agency,id":
            return f"{self.agency},{self.id}"
        return f"{self.agency},{self.id},{self.version}"

    def __str__(self) -> str:
        return f"{self.agency}:{self.id}({self.version or 'latest'})"


class CatalogueEntry(_Strict):
    name: str
    title: str
    provider: str
    dataflow: Dataflow | None = None
    key: str = ""
    params: dict[str, str] = Field(default_factory=dict)
    # indicator id -> the dimension codes it selects (its definition's `match`), so the connectors layer can
    # check a refreshed dataset against what the indicators ask for without importing them.
    indicators: dict[str, dict[str, str]] = Field(default_factory=dict)
    measures: list[str] = Field(min_length=1)
    licence: str | None = None
    citation: str | None = None
    documented_at: str
    verified: Literal["yes", "partly", "no"]
    key_dimensions: int | None = Field(default=None, gt=0)
    enabled: bool = True
    note: str = ""
    source: str | None = None
    dataset: str | None = None

    @field_validator("params", mode="before")
    @classmethod
    def _params_as_text(cls, value):
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return value

    @field_validator("params")
    @classmethod
    def _no_reserved(cls, value: dict[str, str]) -> dict[str, str]:
        clash = RESERVED_PARAMS & set(value)
        if clash:
            raise ValueError(f"{sorted(clash)} are set by the provider entry / refresh command, remove them here")
        return value

    @field_validator("indicators", mode="before")
    @classmethod
    def _indicators_with_selection(cls, value):
        if isinstance(value, list):
            raise ValueError(
                "give each indicator with the dimension codes it selects, e.g. {real_gdp_per_capita_eur: "
                "{unit: CLV20_EUR_HAB, na_item: B1GQ}} (the 'match' of its definition)"
            )
        if isinstance(value, dict):
            return {
                str(k): {str(d): str(c) for d, c in v.items()} if isinstance(v, dict) else v for k, v in value.items()
            }
        return value

    @property
    def needs(self) -> list[dict[str, list[str]]]:
        """The dimension selections the indicators reading this dataset need, one per indicator (from
        ``indicators``): the refresh gate refuses an answer in which a selection that had values in the last
        good version has none."""
        return [{dim: [code] for dim, code in selection.items()} for selection in self.indicators.values() if selection]

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not KEY_PATTERN.match(value):
            raise ValueError("an SDMX key is codes separated by '.', alternatives joined by '+', e.g. A..B1GQ.")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError("use lower-case letters, digits and '_' (it becomes a file name)")
        return value

    @field_validator("citation")
    @classmethod
    def _citation(cls, value: str | None) -> str | None:
        return None if value is None else _check_citation(value)

    @model_validator(mode="after")
    def _key_has_recorded_dimensions(self) -> CatalogueEntry:
        # An empty key asks for the whole flow; otherwise one position per dimension, in the DSD's order.
        if self.key and self.key_dimensions is not None:
            found = len(self.key.split("."))
            if found != self.key_dimensions:
                raise ValueError(
                    f"key {self.key!r} has {found} dimension positions but key_dimensions says "
                    f"{self.key_dimensions}; one position per DSD dimension, dots between them "
                    "(leave a position empty for all codes)"
                )
        return self

    @model_validator(mode="after")
    def _dataflow_when_enabled(self) -> CatalogueEntry:
        if self.enabled and self.dataflow is None:
            raise ValueError("an enabled entry needs a dataflow {agency, id, version} (or set enabled: false + note)")
        if not self.enabled and not self.note:
            raise ValueError("a disabled entry needs a note saying why")
        return self

    @property
    def store_source(self) -> str:
        return self.source or self.provider.lower()

    @property
    def store_dataset(self) -> str:
        return self.dataset or self.name


def _check_citation(value: str) -> str:
    names = {field for _, field, _, _ in string.Formatter().parse(value) if field}
    unknown = names - CITATION_FIELDS
    if unknown:
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(CITATION_FIELDS)}")
    return value


def _read_yaml(path: Path, top: str) -> dict:
    try:
        data = yaml_loader.load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get(top), dict):
        raise RegistryError(f"{path}: expected a top-level mapping '{top}:' with one entry per item")
    return data[top]


def _explain(path: Path, kind: str, name: str, exc: ValidationError) -> RegistryError:
    problems = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "(entry)"
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"field '{field}': {message}")
    return RegistryError(f"{path}: {kind} '{name}': " + "; ".join(problems))


def load_providers(path: Path = PROVIDERS_FILE) -> dict[str, Provider]:
    """Read and validate the provider registry."""
    providers = {}
    for name, body in _read_yaml(path, "providers").items():
        if not isinstance(body, dict):
            raise RegistryError(f"{path}: provider '{name}': expected a mapping of fields")
        try:
            providers[name] = Provider(id=name, **body)
        except ValidationError as exc:
            raise _explain(path, "provider", name, exc) from exc
        except TypeError as exc:
            raise RegistryError(f"{path}: provider '{name}': {exc}") from exc
    return providers


def load_catalogue(
    path: Path = CATALOGUE_FILE, providers: dict[str, Provider] | None = None
) -> dict[str, CatalogueEntry]:
    """Read and validate the dataset catalogue, checking every entry names a known provider."""
    providers = providers if providers is not None else default_providers()
    entries = {}
    for name, body in _read_yaml(path, "datasets").items():
        if not isinstance(body, dict):
            raise RegistryError(f"{path}: dataset '{name}': expected a mapping of fields")
        try:
            entry = CatalogueEntry(name=name, **body)
        except ValidationError as exc:
            raise _explain(path, "dataset", name, exc) from exc
        if entry.provider not in providers:
            raise RegistryError(
                f"{path}: dataset '{name}': field 'provider': unknown provider {entry.provider!r}; "
                f"known: {', '.join(sorted(providers))} (add it to providers.yaml)"
            )
        entries[name] = entry
    return entries


@cache
def default_providers() -> dict[str, Provider]:
    return load_providers(PROVIDERS_FILE)


@cache
def default_catalogue() -> dict[str, CatalogueEntry]:
    return load_catalogue(CATALOGUE_FILE, default_providers())


def build_url(
    entry: CatalogueEntry,
    providers: dict[str, Provider] | None = None,
    updated_after: str | None = None,
) -> tuple[str, dict[str, str]]:
    """The exact URL and headers a refresh sends for ``entry``.

    Query parameters: the entry's own (in file order), then the provider's defaults it did not set,
    then the format parameters, then ``updatedAfter`` when given and the provider supports it.
    """
    providers = providers if providers is not None else default_providers()
    provider = providers[entry.provider]
    if not entry.enabled or entry.dataflow is None:
        raise RegistryError(f"dataset '{entry.name}' is disabled: {entry.note}")
    fmt = provider.requested
    key = entry.key or provider.empty_key
    path = provider.data_path.format(
        flow_ref=quote(entry.dataflow.ref(provider.flow_ref), safe=",@"),
        key=quote(key, safe="+.*@"),
    )
    if not key:  # leave the key segment out, keeping a trailing slash only where the provider needs one
        path = path.replace("//", "/")
        if not provider.data_path.endswith("/"):
            path = path.rstrip("/")
    params = dict(entry.params)
    for name, value in provider.default_params.items():
        params.setdefault(name, value)
    params.update(fmt.params)
    if updated_after and provider.supports_updated_after:
        params["updatedAfter"] = updated_after
    url = f"{provider.base_url}/{path}"
    if params:
        url += "?" + urlencode(params, safe=":,")
    headers = {"User-Agent": USER_AGENT}
    if fmt.accept:
        headers["Accept"] = fmt.accept
    return url, headers


def citation_for(entry: CatalogueEntry, provider: Provider, url: str, retrieved: str) -> str:
    template = entry.citation or provider.citation
    return template.format(
        publisher=provider.name,
        title=entry.title,
        dataflow=str(entry.dataflow),
        url=url,
        retrieved=retrieved,
        year=retrieved[:4],
    )


def licence_for(entry: CatalogueEntry, provider: Provider) -> str:
    return entry.licence or provider.licence
