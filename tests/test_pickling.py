"""Models pickle as their values in order: what is unpickled equals what was extracted."""

from __future__ import annotations

import pickle
import subprocess
import sys
from dataclasses import is_dataclass

import pytest

from schemacheck import schema
from schemacheck.config import Config, Selection
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix, Level, Span
from schemacheck.results import make_settings
from schemacheck.runner import parse_text
from schemacheck.schema import NO_KEYWORDS, Call, FileSchema, Insertion, call_places
from tests.helpers import FIXTURES, fixture_models


def test_every_fixture_model_comes_back_equal() -> None:
    compared = 0
    for path, _, parsed in fixture_models():
        model = parsed.schema
        copy = pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == model, path
        compared += 1
    assert compared > 150


def test_every_model_class_pickles_by_its_fields() -> None:
    classes = [c for c in vars(schema).values() if isinstance(c, type) and is_dataclass(c)]
    assert len(classes) >= 20
    for cls in classes:
        assert "__reduce__" in vars(cls), f"{cls.__name__} pickles slot by slot"


def test_ranges_come_back_as_their_own_type() -> None:
    span = Span(3, 9, 1, 4, 1, 10)
    insertion = Insertion(8, ", ", "")
    for value in (span, insertion):
        copy = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == value and type(copy) is type(value)
    assert pickle.loads(pickle.dumps(span)).end_column == 10


def test_lookup_caches_start_afresh() -> None:
    run_settings = make_settings(Config(root=FIXTURES), Selection(select=["ALL"]))
    path = FIXTURES / "rules" / "SC108" / "declarative.py"
    parsed = parse_text(path.read_text(encoding="utf-8"), str(path), run_settings)
    model = getattr(parsed, "schema", None)
    assert isinstance(model, FileSchema) and model.classes
    name = model.classes[-1].name
    assert model.class_named(name) is model.classes[-1]
    copy = pickle.loads(pickle.dumps(model))
    assert copy._by_name is None and copy._by_name_size == 0
    assert copy.class_named(name) == model.classes[-1]


def test_a_subclass_must_say_how_it_pickles() -> None:
    class Child(schema.BaseRef):
        __slots__ = ()

    with pytest.raises(TypeError, match="Child"):
        pickle.dumps(Child("Base", None, None))


def _points_elsewhere(value: object, points: str) -> str:
    """``points`` (an expression of ``value``'s insertion points) as read in another process,
    one that numbered a pair of its own before loading ``value``."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pickle, sys\n"
            "from schemacheck.schema import Insertion\n"
            "Insertion(1, 'first', 'here')\n"
            "value = pickle.loads(sys.stdin.buffer.read())\n"
            f"print(repr([(p.offset, p.before, p.after) for p in {points}]))\n",
        ],
        input=pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL),
        capture_output=True,
        check=True,
    )
    return loaded.stdout.decode().strip()


def test_insertion_points_keep_their_text_through_pickling_and_packing() -> None:
    common = Insertion(12, ", ", "")
    laid_out = Insertion(40, "\n        ", ",")
    for point in (common, laid_out):
        copy = pickle.loads(pickle.dumps(point, protocol=pickle.HIGHEST_PROTOCOL))
        assert (copy.offset, copy.before, copy.after) == (point.offset, point.before, point.after)
    # Another process numbers the pairs it meets in its own order.
    assert _points_elsewhere(laid_out, "[value]") == repr([(40, "\n        ", ",")])
    call = Call(None, Span(0, 1, 1, 1, 1, 2), (), NO_KEYWORDS, False, call_places(laid_out, common))
    assert call.append == laid_out and call.prepend == common
    assert call.append.text("lazy='select'") == "\n        lazy='select',"
    # A call packs its two points into a plain int: it must carry their text across too.
    assert _points_elsewhere(call, "(value.append, value.prepend)") == repr(
        [(40, "\n        ", ","), (12, ", ", "")]
    )
    plain = Call(None, call.span, (), NO_KEYWORDS, False, call_places(common, common))
    assert pickle.loads(pickle.dumps(plain)) == plain


_SPAN = Span(0, 1, 1, 1, 1, 2)


def test_findings_share_their_texts_made_apart_or_unpickled() -> None:
    """A run's findings repeat the same few texts thousands of times: each is one object,
    whether a rule made it or it came from a worker or the cache."""

    def made(i: int) -> Diagnostic:
        content = "".join(["nullable=", "False"])  # a new object each time
        fix = Fix("".join(["Add ", "`nullable=`"]), Applicability.SAFE, (Edit(i, i, content),))
        message = "".join(["Column ", "`a`"])
        return Diagnostic("SC201", "x", message, Level.ERROR, "p.py", _SPAN, fix)

    findings = [made(1), made(2), *pickle.loads(pickle.dumps([made(3), made(4)]))]
    for text in (
        lambda d: d.message,
        lambda d: d.fix.message if d.fix else None,
        lambda d: d.fix.edits[0].content if d.fix else None,
    ):
        assert len({id(text(d)) for d in findings}) == 1
