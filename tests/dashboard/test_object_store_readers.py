"""Every reader works against an S3 store unchanged: ``python -m indicators values``, ``python -m
dashboard export`` and ``python -m dashboard bake`` give byte-identical output with
``BEYOND_GDP_DATA_CACHE=s3://…`` (a real S3 API, moto, on 127.0.0.1) and with the same store on disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from connectors import store
from connectors.store_publish import publish
from tests.connectors.s3_server import s3, s3_endpoint  # noqa: F401 (fixtures, used by name)

pytestmark = pytest.mark.slow

LINK = "trajectories?ind=life_satisfaction&areas=FIN,DNK,SWE,DEU&from=2010"
VIEWS = """views:
  - id: life-satisfaction
    link: "trajectories?ind=life_satisfaction&areas=FIN,DNK,SWE,USA"
    description: Average answer to the Cantril ladder question (0-10).
  - id: co2-ranking
    link: "trajectories?chart=ranking&ind=co2_consumption_per_capita&areas=USA,CHN,IND,DEU,SWE"
    description: Latest consumption-based CO2 per person, lowest first.
"""


def _run(store_root: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(store.PROJECT_ROOT), BEYOND_GDP_DATA_CACHE=store_root)
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_values_export_and_bake_read_the_same_from_s3_as_from_disk(s3, tmp_path):  # noqa: F811 (the fixture)
    disk = tmp_path / "disk"
    shutil.copytree(store.PROJECT_ROOT / "data_cache" / store.SNAPSHOT_DIR, disk / store.SNAPSHOT_DIR)
    publish(disk, s3)
    (tmp_path / "views.yaml").write_text(VIEWS, encoding="utf-8")
    outputs = {}
    for name, root in (("disk", str(disk)), ("s3", s3)):
        out = tmp_path / f"out-{name}"
        out.mkdir()
        values = _run(root, "indicators", "values", "life_satisfaction", "--areas", "FIN,SWE", "--format", "csv",
                      cwd=tmp_path)  # fmt: skip
        assert values.returncode == 0, values.stderr
        for suffix in ("csv", "vl.json"):
            exported = _run(root, "dashboard", "export", LINK, "--out", str(out / f"view.{suffix}"), cwd=tmp_path)
            assert exported.returncode == 0, exported.stderr
        baked = _run(root, "dashboard", "bake", "--out", str(out / "site"), "--views", "views.yaml", "--no-images",
                     cwd=tmp_path)  # fmt: skip
        assert baked.returncode == 0, baked.stderr
        outputs[name] = (values.stdout, _files(out))

    disk_values, disk_files = outputs["disk"]
    s3_values, s3_files = outputs["s3"]
    assert s3_values == disk_values and disk_values.count("\n") > 10
    assert sorted(s3_files) == sorted(disk_files)
    assert {"view.csv", "view.vl.json", "site/index.html", "site/co2-ranking.csv"} <= set(disk_files)
    for name, data in disk_files.items():
        assert s3_files[name] == data, f"{name} differs between the s3:// store and the same store on disk"
    assert store.data_version(s3).encode() in disk_files["site/index.html"]  # the same data version named
