"""Packaging: what the code imports is declared, the locks pin and hash all of it, and make installs from them.

pyproject.toml declares the runtime dependencies and the ``test`` / ``dev`` extras; ``make lock`` (uv pip compile
--generate-hashes) turns them into requirements.lock (runtime), requirements-test.lock (+ test) and
requirements-dev.lock (+ lint and lock tools). These tests catch the ways that drifts: an import nobody declared
(numpy was one), a dependency added to pyproject.toml without re-locking, an unhashed line, a test tool leaking
into the runtime set, a Makefile that installs without hash checking.
"""

from __future__ import annotations

import ast
import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
LOCKS = {
    "runtime": "requirements.lock",
    "s3": "requirements-s3.lock",
    "test": "requirements-test.lock",
    "dev": "requirements-dev.lock",
}
LOCAL_PACKAGES = {"connectors", "indicators", "dashboard", "bench", "tests", "app", "serve"}
RUNTIME_CODE = ["connectors", "indicators", "dashboard", "app.py", "serve.py"]
TEST_CODE = ["tests", "bench"]


def _declared(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(line).name) for line in requirements if "beyond-gdp" not in line}


RUNTIME = _declared(PROJECT["dependencies"])
#: The optional ``s3`` extra: boto3, imported only when a process writes to an s3:// store (inside a function that
#: names `pip install 'beyond-gdp[s3]'` when it is missing).
S3 = _declared(PROJECT["optional-dependencies"]["s3"])
TEST = _declared(PROJECT["optional-dependencies"]["test"])
DEV = _declared(PROJECT["optional-dependencies"]["dev"])


def _lock(name: str) -> dict[str, tuple[Requirement, list[str], str]]:
    """Each locked package: its requirement (with marker), its hashes and the ``# via`` comment block."""
    entries: dict[str, tuple[Requirement, list[str], str]] = {}
    text = (ROOT / LOCKS[name]).read_text(encoding="utf-8")
    blocks = [b for b in text.split("\n") if b]
    current = None
    for line in blocks:
        if not line.startswith((" ", "#")):
            current = Requirement(line.rstrip(" \\"))
            entries[canonicalize_name(current.name)] = (current, [], "")
        elif current is not None and line.strip().startswith("--hash="):
            entries[canonicalize_name(current.name)][1].append(line.strip().rstrip(" \\"))
        elif current is not None and line.startswith("    #"):
            req, hashes, via = entries[canonicalize_name(current.name)]
            entries[canonicalize_name(current.name)] = (req, hashes, via + line.strip("# ") + "\n")
    return entries


def _third_party_imports(paths: list[str]) -> dict[str, str]:
    """Top-level modules imported anywhere under ``paths`` that are neither stdlib nor ours -> first file seen."""
    found: dict[str, str] = {}
    files = [p for entry in paths for p in ([ROOT / entry] if entry.endswith(".py") else (ROOT / entry).rglob("*.py"))]
    for path in sorted(files):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL_PACKAGES and top != "__future__":
                    found.setdefault(top, path.relative_to(ROOT).as_posix())
    return found


def _undeclared(paths: list[str], declared: set[str]) -> list[str]:
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for module, where in sorted(_third_party_imports(paths).items()):
        providers = {canonicalize_name(d) for d in distributions.get(module, [])}
        if not providers:
            missing.append(f"{module} (imported in {where}) is not installed at all")
        elif not providers & declared:
            missing.append(f"{module} (imported in {where}) comes from {sorted(providers)}, not declared")
    return missing


def test_every_runtime_import_is_a_declared_dependency():
    problems = _undeclared(RUNTIME_CODE, RUNTIME | S3)
    assert not problems, "add these to [project.dependencies] in pyproject.toml, then `make lock`:\n" + "\n".join(
        problems
    )


def test_every_test_and_bench_import_is_declared_in_runtime_or_test():
    problems = _undeclared(TEST_CODE, RUNTIME | TEST)
    assert not problems, "add these to the 'test' extra in pyproject.toml, then `make lock`:\n" + "\n".join(problems)


def test_the_import_check_sees_numpy():
    """The check above would have caught the undeclared numpy: it is imported by the runtime code."""
    assert "numpy" in _third_party_imports(RUNTIME_CODE)
    assert "numpy" in RUNTIME


def test_boto3_is_an_optional_extra_imported_only_where_the_store_writes_to_s3():
    """Readers of an s3:// store need only pyarrow; boto3 (the s3 extra, also in the test extra) is imported
    in one place, connectors/store_files.py, lazily, so `make run` without it still starts."""
    assert {"boto3", "botocore"} == S3 and "boto3" not in RUNTIME and "boto3" in TEST
    importers = {
        path.relative_to(ROOT).as_posix()
        for entry in RUNTIME_CODE
        for path in ([ROOT / entry] if entry.endswith(".py") else (ROOT / entry).rglob("*.py"))
        if {"boto3", "botocore"} & set(_third_party_imports([path.relative_to(ROOT).as_posix()]))
    }
    assert importers == {"connectors/store_files.py"}
    tree = ast.parse((ROOT / "connectors" / "store_files.py").read_text(encoding="utf-8"))
    top_level = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    assert not {"boto3", "botocore"} & top_level, "boto3 must be imported lazily (only when writing to S3)"


def test_test_and_lint_tools_stay_out_of_the_runtime_dependencies():
    assert not RUNTIME & {"pytest", "hypothesis", "responses", "playwright", "moto", "boto3", "ruff", "uv"}
    assert {"pytest", "moto", "boto3", "playwright"} <= TEST
    assert {"ruff"} <= DEV
    assert "beyond-gdp[test]" in PROJECT["optional-dependencies"]["dev"], "dev should include the test extra"


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_every_locked_line_is_pinned_and_hashed(name):
    entries = _lock(name)
    assert len(entries) > 20, f"{LOCKS[name]} looks truncated ({len(entries)} packages)"
    for package, (requirement, hashes, _via) in entries.items():
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{LOCKS[name]}: {package} is not pinned"
        assert hashes and all(h.startswith("--hash=sha256:") for h in hashes), f"{LOCKS[name]}: {package} unhashed"


@pytest.mark.parametrize(
    ("name", "direct"), [("runtime", RUNTIME), ("s3", RUNTIME | S3), ("test", RUNTIME | TEST), ("dev", None)]
)
def test_each_lock_was_compiled_from_todays_pyproject(name, direct):
    """The packages a lock says come from pyproject.toml are exactly the ones declared there: a dependency
    added to (or removed from) pyproject.toml without `make lock` fails here."""
    direct = direct if direct is not None else RUNTIME | TEST | DEV
    entries = _lock(name)
    from_pyproject = {package for package, (_r, _h, via) in entries.items() if "beyond-gdp (pyproject.toml)" in via}
    from_pyproject |= {p for p, (_r, _h, via) in entries.items() if "beyond-gdp[" in via} & direct
    assert from_pyproject == direct, f"run `make lock`: {LOCKS[name]} differs from pyproject.toml"


def test_locks_agree_on_every_shared_pin():
    """Runtime pins are the same in all four locks, so `make run` and `make test` run the same code, and the
    s3 lock's boto3 is the one the object-store tests ran."""
    runtime, s3, test, dev = (_lock(name) for name in ("runtime", "s3", "test", "dev"))
    assert set(runtime) <= set(s3) <= set(test) <= set(dev)
    for package, (requirement, _h, _v) in s3.items():
        assert str(test[package][0].specifier) == str(requirement.specifier), package
    assert "boto3" not in runtime and "boto3" in s3
    for package, (requirement, _h, _v) in runtime.items():
        assert str(test[package][0].specifier) == str(requirement.specifier), package
    for package, (requirement, _h, _v) in test.items():
        assert str(dev[package][0].specifier) == str(requirement.specifier), package
    assert not {"pytest", "moto", "ruff"} & set(runtime), "test tools leaked into requirements.lock"


def test_the_environment_running_these_tests_is_the_locked_one():
    environment = default_environment()
    drift = []
    for package, (requirement, _h, _v) in _lock("test").items():
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        pinned = next(iter(requirement.specifier)).version
        try:
            installed = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            drift.append(f"{package}: locked {pinned}, not installed")
            continue
        if canonicalize_name(installed) != canonicalize_name(pinned):
            drift.append(f"{package}: locked {pinned}, installed {installed}")
    assert not drift, (
        "this environment differs from requirements-test.lock (`make test` rebuilds .venv):\n" + "\n".join(drift)
    )


def test_licence_file_is_the_licence_pyproject_names():
    assert PROJECT["license"] == "Apache-2.0"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text


def _make_dry_run(target: str) -> str:
    """What ``make TARGET`` would run, without running it (``make -n`` on a throw-away .venv path)."""
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, "VENV=/nonexistent/venv"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.parametrize(
    ("target", "lock", "not_lock"),
    [
        ("run", "requirements.lock", "requirements-test.lock"),
        ("venv-s3", "requirements-s3.lock", "requirements-test.lock"),
        ("test", "requirements-test.lock", None),
    ],
)
def test_make_installs_from_its_lock_with_hash_checking(target, lock, not_lock):
    plan = _make_dry_run(target)
    assert f"--require-hashes --no-deps -r {lock}" in plan
    assert "sha256sum --quiet --check" in plan and "rm -rf /nonexistent/venv" in plan, "a changed lock rebuilds .venv"
    if not_lock:
        assert not_lock not in plan, f"make {target} must not install test tools"
    assert "requirements.txt" not in plan


def test_ci_runs_lint_and_tests():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make lint" in script and "make test" in script
    assert "apt-get install -y -qq chromium" in script
    lint = _make_dry_run("lint")
    assert "ruff check ." in lint and "ruff format --check ." in lint
