"""Progress bars on the two long commands: `python -m dashboard bake` and `python -m connectors build-snapshot`.

A bar is drawn on stderr only when stderr is a terminal and --quiet is not given, so logs, CI output and
piped stdout stay clean. tqdm decides "is a terminal" by asking the stream, so a stream that says yes stands in
for a terminal here. It is put in place inside each test, not in a fixture: pytest's output capture resets
sys.stderr between a fixture's set-up and the test call.
"""

from __future__ import annotations

import argparse
import io
import sys

from connectors import snapshot
from dashboard import bake
from dashboard.__main__ import main as dashboard_main
from dashboard.bake import BakeEntry

ONE_VIEW = [BakeEntry("co2", "trajectories?ind=co2_per_capita&areas=USA,CHN&from=2000", "CO2")]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _tty_stderr(monkeypatch) -> FakeTerminal:
    stream = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


def test_bake_draws_a_bar_per_phase_on_a_terminal(tmp_path, monkeypatch):
    tty_stderr = _tty_stderr(monkeypatch)
    bake.bake(tmp_path / "site", ONE_VIEW, images=False, progress=True)
    drawn = tty_stderr.getvalue()
    assert "query: 100%" in drawn and "bake: 100%" in drawn and "1/1" in drawn


def test_bake_draws_nothing_when_not_asked(tmp_path, monkeypatch):
    tty_stderr = _tty_stderr(monkeypatch)
    bake.bake(tmp_path / "site", ONE_VIEW, images=False, progress=False)
    assert tty_stderr.getvalue() == ""


def test_bake_draws_nothing_when_stderr_is_not_a_terminal(tmp_path, monkeypatch):
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    bake.bake(tmp_path / "site", ONE_VIEW, images=False, progress=True)
    assert piped.getvalue() == ""


def test_bake_command_quiet_switches_the_bar_off(tmp_path, monkeypatch):
    tty_stderr = _tty_stderr(monkeypatch)
    views = tmp_path / "views.yaml"
    views.write_text('views:\n  - {id: co2, link: "trajectories?ind=co2_per_capita&areas=USA"}\n', encoding="utf-8")
    assert dashboard_main(["bake", "--out", str(tmp_path / "a"), "--views", str(views), "--no-images"]) == 0
    assert "bake: 100%" in tty_stderr.getvalue()
    tty_stderr.seek(0)
    tty_stderr.truncate()
    assert dashboard_main(["bake", "--out", str(tmp_path / "b"), "--views", str(views), "--no-images", "--quiet"]) == 0
    assert tty_stderr.getvalue() == ""


def _one_small_source() -> dict:
    spec = snapshot.load_spec()
    spec["sources"] = [s for s in spec["sources"] if s["dataset"] == "cei_srm030"]
    assert len(spec["sources"]) == 1, "the snapshot spec no longer has cei_srm030; pick another small source"
    return spec


def test_build_snapshot_draws_its_bar_and_keeps_the_log_lines(tmp_path, monkeypatch, shared_data, capsys):
    tty_stderr = _tty_stderr(monkeypatch)
    snapshot.build_snapshot(shared_data, tmp_path, spec=_one_small_source(), progress=True)
    drawn = tty_stderr.getvalue()
    assert "build-snapshot: 100%" in drawn and "1/1" in drawn
    assert "cei_srm030:" in capsys.readouterr().out, "the per-dataset line still goes to stdout"


def test_build_snapshot_draws_nothing_with_quiet(tmp_path, monkeypatch, shared_data):
    tty_stderr = _tty_stderr(monkeypatch)
    snapshot.build_snapshot(shared_data, tmp_path, spec=_one_small_source(), log=lambda _m: None, progress=False)
    assert tty_stderr.getvalue() == ""


def test_build_snapshot_command_has_quiet():
    parser = argparse.ArgumentParser()
    snapshot.register(parser.add_subparsers())
    assert parser.parse_args(["build-snapshot", "--quiet"]).quiet is True
    assert parser.parse_args(["build-snapshot"]).quiet is False
