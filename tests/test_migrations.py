"""Migration-specific behaviour beyond the per-rule fixtures."""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

from alembic.operations import BatchOperations, Operations

from schemacheck.config import Config, Selection
from schemacheck.extract.migrations import OPERATION_PARAMETERS, batch_parameters
from schemacheck.results import make_settings
from schemacheck.session import run
from tests.helpers import FIXTURES, render


def _positional(function: object) -> tuple[str, ...]:
    parameters = inspect.signature(function).parameters.values()  # type: ignore[arg-type]
    return tuple(
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"
    )


def test_operation_parameters_match_alembic() -> None:
    """The positional parameters read from op.* calls are Alembic's own."""
    for name, parameters in OPERATION_PARAMETERS.items():
        assert _positional(getattr(Operations, name)) == parameters, name
        batch = getattr(BatchOperations, name, None)
        if batch is not None:
            assert _positional(batch) == batch_parameters(name), name


def test_revision_graph(tmp_path: Path) -> None:
    project = tmp_path / "migrations"
    shutil.copytree(FIXTURES / "revision_graph", project)
    settings = make_settings(Config(root=project), Selection(select=["SC508"]))
    result = run([project / "versions"], settings)
    assert not result.errors
    by_file = {f.path.rsplit("/", 1)[-1]: render(f.diagnostics) for f in result.files}
    assert by_file["0002_tags.py"].startswith('3:12-3:18 SC508 Revision id "0002" is also used by')
    assert by_file["0005_duplicate.py"].startswith(
        '3:12-3:18 SC508 Revision id "0002" is also used by'
    )
    assert (
        by_file["0004_dangling.py"]
        .splitlines()[1]
        .startswith('4:17-4:23 SC508 `down_revision` "9999" names no migration')
    )
    heads = [line for text in by_file.values() for line in text.splitlines() if "heads" in line]
    assert len(heads) == 4  # 0002 (in two files), 0003 and 0004 are heads
    assert all("one of 3 heads" in line for line in heads)
    duplicate = next(d for f in result.files for d in f.diagnostics if "also used" in d.message)
    assert duplicate.related and duplicate.related[0].path.endswith(".py")


def test_revision_graph_uses_unchanged_siblings_as_context(tmp_path: Path) -> None:
    """pre-commit passes one changed file: its parent still resolves through the others."""
    project = tmp_path / "migrations"
    shutil.copytree(FIXTURES / "revision_graph", project)
    for name in ("0003_likes.py", "0004_dangling.py", "0005_duplicate.py"):
        (project / "versions" / name).unlink()
    settings = make_settings(Config(root=project), Selection(select=["SC508"]))
    result = run([project / "versions" / "0002_tags.py"], settings)
    assert [f.path.rsplit("/", 1)[-1] for f in result.files] == ["0002_tags.py"]
    assert result.diagnostics == []
    (project / "versions" / "0001_base.py").unlink()
    dangling = run([project / "versions" / "0002_tags.py"], settings)
    assert [d.message for d in dangling.diagnostics] == [
        '`down_revision` "0001" names no migration'
    ]


def test_a_versions_tree_with_branch_directories_is_one_graph(tmp_path: Path) -> None:
    """Migrations in subdirectories of versions/ (Alembic's recursive version locations, or one
    location per branch directory) name parents in other subdirectories; pre-commit's one
    changed file still finds them."""
    versions = tmp_path / "migrations" / "versions"
    chain = [
        ("", "a0", None),
        ("2024.1/expand", "b1", "a0"),
        ("2024.1/contract", "c1", "b1"),
        ("2025.1/expand", "d2", "c1"),
    ]
    for where, revision, parent in chain:
        (versions / where).mkdir(parents=True, exist_ok=True)
        down = f'"{parent}"' if parent else "None"
        (versions / where / f"{revision}.py").write_text(
            f'revision = "{revision}"\ndown_revision = {down}\n\n\n'
            "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
        )
    settings = make_settings(Config(root=tmp_path), Selection(select=["SC508"]))
    assert run([versions], settings).diagnostics == []
    assert run([versions / "2025.1" / "expand" / "d2.py"], settings).diagnostics == []
    # Directories whose graphs stand alone stay apart, though they share revision ids (one
    # graph per dialect): and so does another versions/ tree, another project's.
    for dialect in ("postgresql", "sqlite"):
        (versions / dialect).mkdir()
        for revision, parent in (("x1", None), ("x2", "x1")):
            down = f'"{parent}"' if parent else "None"
            (versions / dialect / f"{revision}.py").write_text(
                f'revision = "{revision}"\ndown_revision = {down}\nbranch_labels = ("{dialect}",)\n'
                "\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
            )
    assert run([versions], settings).diagnostics == []
    other = tmp_path / "plugin" / "versions"
    other.mkdir(parents=True)
    (other / "p1.py").write_text(
        'revision = "p1"\ndown_revision = "c1"\n\n\n'
        "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
    assert [d.message for d in run([tmp_path], settings).diagnostics] == [
        '`down_revision` "c1" names no migration'
    ]


def test_revision_cycle(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    for revision, parent in (("a1", "b2"), ("b2", "a1")):
        (versions / f"{revision}.py").write_text(
            f'revision = "{revision}"\ndown_revision = "{parent}"\n\n\n'
            "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
        )
    settings = make_settings(Config(root=tmp_path), Selection(select=["SC508"]))
    messages = [d.message for d in run([versions], settings).diagnostics]
    assert messages == ["Revision cycle: a1 -> b2 -> a1"]


def test_revision_cycle_behind_a_tail_and_a_long_chain(tmp_path: Path) -> None:
    """A revision whose parents lead into a cycle is not in it; the cycle is reported once,
    from its first file; a long chain beside it is no cycle."""
    versions = tmp_path / "versions"
    versions.mkdir()
    chain = [(f"n{i:03d}", f"n{i - 1:03d}" if i else None) for i in range(300)]
    edges = [("0_tail", "c2"), ("c1", "c3"), ("c2", "c1"), ("c3", "c2"), *chain]
    for revision, parent in edges:
        down = f'"{parent}"' if parent else "None"
        (versions / f"{revision}.py").write_text(
            f'revision = "{revision}"\ndown_revision = {down}\n\n\n'
            "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
        )
    settings = make_settings(Config(root=tmp_path), Selection(select=["SC508"]))
    found = run([versions], settings).diagnostics
    cycles = [
        (Path(d.path).name, d.message) for d in found if d.message.startswith("Revision cycle")
    ]
    assert cycles == [("c1.py", "Revision cycle: c1 -> c3 -> c2 -> c1")]


def test_migration_metadata_is_read() -> None:
    import libcst

    from schemacheck.extract.models import extract_models
    from schemacheck.source import LineIndex

    text = (FIXTURES / "rules" / "SC501" / "merge.py").read_text()
    text = text.replace("depends_on = None", 'depends_on = ("x9",)').replace(
        "branch_labels = None", 'branch_labels = ("api",)'
    )
    schema = extract_models(libcst.parse_module(text), text, "m.py", LineIndex(text)).schema
    migration = schema.migration
    assert migration is not None
    assert (migration.revision, migration.down_revisions) == ("cc33", ["aa11", "bb22"])
    assert (migration.branch_labels, migration.depends_on) == (["api"], ["x9"])
    assert migration.upgrade.body == "pass" and migration.downgrade is not None


def test_each_versions_directory_is_its_own_graph(tmp_path: Path) -> None:
    for project in ("one", "two"):
        versions = tmp_path / project / "versions"
        versions.mkdir(parents=True)
        (versions / "base.py").write_text(
            f'revision = "{project}"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n'
        )
    settings = make_settings(Config(root=tmp_path), Selection(select=["SC508"]))
    assert run([tmp_path], settings).diagnostics == []
