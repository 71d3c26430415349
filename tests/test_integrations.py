"""Output formats for editors and CI, fingerprints and baselines, driven through the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import FIXTURES

SHARED_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sarif-schema-2.1.0.json"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemacheck", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Several model files, several rules, one of them in a sub-package."""
    for name in ("SC101/legacy.py", "SC102/declarative.py", "SC202/sqlmodel.py"):
        source = FIXTURES / "rules" / name
        target = tmp_path / ("pkg" if "SC202" in name else ".") / source.name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, target)
    (tmp_path / "pyproject.toml").write_text("[tool.schemacheck]\n")
    return tmp_path


def sarif(project: Path) -> dict:  # type: ignore[type-arg]
    result = run("--output-format", "sarif", cwd=project)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_sarif_is_valid_and_meets_code_scanning_requirements(project: Path) -> None:
    assert SHARED_SCHEMA.exists(), f"the SARIF schema is expected at {SHARED_SCHEMA}"
    log = sarif(project)
    schema = json.loads(SHARED_SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(str(e.message) for e in errors[:5])

    # What GitHub code scanning needs to accept and track the upload.
    assert log["version"] == "2.1.0" and log["$schema"]
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "schemacheck" and driver["version"] and driver["informationUri"]
    rules = driver["rules"]
    results = run_["results"]
    assert {r["ruleId"] for r in results} == {r["id"] for r in rules}
    assert {r["ruleId"] for r in results} >= {"SC101", "SC102", "SC201", "SC202", "SC302"}
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith("## What it does")
        assert rule["helpUri"].endswith(f"/docs/rules/{rule['id']}.md")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    uris = set()
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        artifact = location["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and "://" not in artifact["uri"]
        uris.add(artifact["uri"])
        region = location["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (
            region["startLine"],
            region["startColumn"],
        )
        assert len(result["partialFingerprints"]["schemacheck/v1"]) == 32
    assert uris == {"legacy.py", "declarative.py", "pkg/sqlmodel.py"}
    assert len({json.dumps(r["partialFingerprints"]) for r in results}) == len(results)
    assert len(results) <= 25_000
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")


def test_sarif_fixes_describe_real_edits(project: Path) -> None:
    log = sarif(project)
    results = log["runs"][0]["results"]
    fixed = [r for r in results if r["ruleId"] == "SC102"]
    assert fixed and all("fixes" in r for r in fixed)
    lines = (project / "declarative.py").read_text().splitlines(keepends=True)
    for result in fixed:
        (change,) = result["fixes"][0]["artifactChanges"]
        assert change["artifactLocation"]["uri"] == "declarative.py"
        (replacement,) = change["replacements"]
        region = replacement["deletedRegion"]
        assert region["startLine"] == region["endLine"]
        line = lines[region["startLine"] - 1]
        fixed_line = (
            line[: region["startColumn"] - 1]
            + replacement["insertedContent"]["text"]
            + line[region["endColumn"] - 1 :]
        )
        # Applying the SARIF replacement gives the line that --fix writes.
        assert "index=True" in fixed_line and "index=False" not in fixed_line


def test_fingerprints_survive_lines_moving(project: Path) -> None:
    before = {
        (r["ruleId"], r["partialFingerprints"]["schemacheck/v1"])
        for r in sarif(project)["runs"][0]["results"]
    }
    path = project / "declarative.py"
    path.write_text("# a new header comment\n\n\n" + path.read_text())
    after_log = sarif(project)
    after = {
        (r["ruleId"], r["partialFingerprints"]["schemacheck/v1"])
        for r in after_log["runs"][0]["results"]
    }
    assert before == after
    lines = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in after_log["runs"][0]["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "declarative.py"
    }
    assert min(lines) > 3


def test_github_annotations(project: Path) -> None:
    result = run("--output-format", "github", "--select", "SC101", "legacy.py", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=legacy.py,line=16,col=33,endLine=16,endColumn=58,title=SC101::"
        'Foreign key to "users.id" has no `ondelete` action (fk-missing-ondelete)'
    ]


def test_gitlab_code_quality(project: Path) -> None:
    items = json.loads(run("--output-format", "gitlab", cwd=project).stdout)
    assert items and all(
        set(i) == {"description", "check_name", "fingerprint", "severity", "location"}
        for i in items
    )
    assert {i["severity"] for i in items} <= {"info", "minor", "major", "critical", "blocker"}
    assert all(i["location"]["lines"]["begin"] >= 1 for i in items)
    assert len({i["fingerprint"] for i in items}) == len(items)


def test_junit(project: Path) -> None:
    root = ET.fromstring(run("--output-format", "junit", cwd=project).stdout)
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert int(root.get("failures", "0")) == len(cases) > 0
    assert all(case.find("failure") is not None for case in cases)
    clean = ET.fromstring(run("--output-format", "junit", "--select", "SC001", cwd=project).stdout)
    assert clean.get("failures") == "0"


def test_json_lines_and_output_file(project: Path) -> None:
    result = run("--output-format", "json-lines", "-o", "out/report.jsonl", cwd=project)
    assert result.returncode == 1 and result.stdout == ""
    lines = (project / "out" / "report.jsonl").read_text().splitlines()
    assert lines and all(json.loads(line)["fingerprint"] for line in lines)


def test_statistics(project: Path) -> None:
    output = run("--statistics", "--select", "SC101,SC102", cwd=project).stdout.splitlines()
    assert output[0] == "5  SC102  [*] fk-missing-index"
    assert output[1] == "1  SC101  [*] fk-missing-ondelete"
    assert output[2].startswith("Found 6 problems")


def test_show_fixes(project: Path) -> None:
    result = run("--fix", "--show-fixes", "--select", "SC102", cwd=project)
    assert result.returncode == 0
    assert "Fixed 5 problems:\n- declarative.py:\n    5 x SC102 (fk-missing-index)" in result.stdout


def test_baseline_round_trip(project: Path) -> None:
    wrote = run("--write-baseline", "baseline.json", cwd=project)
    assert wrote.returncode == 0 and "to baseline.json" in wrote.stderr
    assert run("--baseline", "baseline.json", cwd=project).returncode == 0
    path = project / "declarative.py"
    original = path.read_text()
    # Lines move: still nothing new.
    path.write_text("\n\n# moved\n" + original)
    assert run("--baseline", "baseline.json", cwd=project).returncode == 0
    # A new finding is reported, alone.
    path.write_text(
        original + "\n\nclass Extra(Base):\n    __tablename__ = 'extras'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    )
    new = run("--baseline", "baseline.json", "--output-format", "concise", cwd=project)
    assert new.returncode == 1
    assert [line.split()[1] for line in new.stdout.splitlines()[:-1]] == ["SC302"]
    # Fixed findings leave stale entries, which are counted.
    path.write_text(original)
    run("--fix", "--select", "SC102", cwd=project)
    stale = run("--baseline", "baseline.json", cwd=project)
    assert stale.returncode == 0
    assert "5 baseline entries no longer occur" in stale.stdout


def test_bad_baseline_is_one_line_error(project: Path) -> None:
    (project / "baseline.json").write_text("{not json")
    result = run("--baseline", "baseline.json", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("schemacheck: error: baseline.json: not a schemacheck baseline")
    assert len(result.stderr.strip().splitlines()) == 1


def test_sarif_related_locations_and_escaping_are_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cross-file finding names its other place; odd paths and messages stay valid SARIF."""
    from schemacheck.diagnostics import Diagnostic, Level, Related, Span
    from schemacheck.report import Report
    from schemacheck.report.sarif import sarif_log

    monkeypatch.chdir(tmp_path)
    span = Span(0, 4, 1, 1, 1, 5)
    diagnostic = Diagnostic(
        "SC101",
        "fk-missing-ondelete",
        'Odd "message", with: punctuation',
        Level.WARNING,
        "dir with space/modèle.py",
        span,
        related=(Related("other.py", span, "the referenced table"),),
    )
    log = sarif_log(Report([diagnostic], {}, False, tmp_path))
    schema = json.loads(SHARED_SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    result = log["runs"][0]["results"][0]
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "other.py"
    )
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir%20with%20space/mod%C3%A8le.py"
    )
