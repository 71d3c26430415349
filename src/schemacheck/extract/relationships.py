"""``relationship()`` and SQLModel ``Relationship()`` read into :class:`RelationshipDef`.

The target class, whether this side is a collection, and the pairing keywords are what the
relationship rules compare across classes and files. SQLModel passes SQLAlchemy's keywords through
``sa_relationship_kwargs``, which is read as if they were given directly.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

from schemacheck.extract.names import evaluated
from schemacheck.schema import (
    _NO_LITERAL,
    Call,
    Expr,
    Insertion,
    Keywords,
    RelationshipDef,
    call_places,
)

if TYPE_CHECKING:
    import libcst as cst
else:
    from schemacheck.lazy import libcst as cst

if TYPE_CHECKING:
    from schemacheck.extract.models import ModelExtractor

RELATIONSHIP_CALLS = frozenset(
    {"sqlalchemy.relationship", "sqlalchemy.relation", "sqlmodel.Relationship"}
)

_COLLECTION = re.compile(
    r"^(?:typing\.)?(?:list|List|set|Set|Sequence|Collection|Iterable|frozenset|FrozenSet"
    r"|DynamicMapped|WriteOnlyMapped|AppenderQuery)\[(.*)\]$"
)
_WRAPPER = re.compile(r"^(?:\w+\.)*(?:Mapped|Optional)\[(.*)\]$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][\w.]*$")


def annotation_target(source: str) -> tuple[str | None, bool | None]:
    """The class an annotation names, and whether it is a collection of it.

    ``Mapped[list["Child"]]`` gives ("Child", True); ``Optional["Parent"]`` ("Parent", False).
    """
    text = source.replace('"', "").replace("'", "").replace(" ", "")
    collection: bool | None = False
    for _ in range(4):
        text = re.sub(r"\|None$|^None\|", "", text)
        wrapped = _WRAPPER.match(text)
        if wrapped:
            text = wrapped.group(1)
            continue
        listed = _COLLECTION.match(text)
        if listed:
            text = listed.group(1)
            collection = True
            continue
        break
    if text.startswith("Union[") and text.endswith(",None]"):
        text = text[len("Union[") : -len(",None]")]
    if not _IDENTIFIER.match(text):
        return None, None
    return text.rpartition(".")[2], collection


def read_relationship(
    extractor: ModelExtractor,
    attr: str,
    annotation: cst.BaseExpression | None,
    node: cst.Call,
    statement: cst.CSTNode,
    owner: str,
) -> RelationshipDef:
    call = extractor.call(node)
    sa_kwargs = next(
        (
            arg.value
            for arg in node.args
            if arg.keyword is not None and arg.keyword.value == "sa_relationship_kwargs"
        ),
        None,
    )
    kwargs = dict(call.kwargs)
    holder: Call | None = None
    if sa_kwargs is not None:
        holder = _dict_call(extractor, sa_kwargs)
        if holder is not None:
            kwargs.update(holder.kwargs)
    target: str | None = None
    collection: bool | None = None
    first = call.args[0] if call.args else kwargs.get("argument")
    if first is not None:
        if isinstance(first.literal, str):
            target = first.literal.rpartition(".")[2] or None
        elif _IDENTIFIER.match(first.source):
            target = first.source.rpartition(".")[2]
    loader: str | None = None
    if annotation is not None:
        written = extractor.code(annotation)
        named, collection = annotation_target(written)
        target = target or named
        if "WriteOnlyMapped[" in written:
            loader = "write_only"
        elif "DynamicMapped[" in written:
            loader = "dynamic"
    uselist = kwargs.get("uselist")
    if uselist is not None and isinstance(uselist.literal, bool):
        collection = uselist.literal
    backref_expr = kwargs.get("backref")
    backref: str | None = None
    backref_literal = False
    if backref_expr is not None:
        if isinstance(backref_expr.literal, str):
            backref, backref_literal = backref_expr.literal, True
        elif backref_expr.call is not None and backref_expr.call.args:
            inner = backref_expr.call.args[0].literal
            backref = inner if isinstance(inner, str) else None
    secondary = kwargs.get("secondary") or kwargs.get("link_model")
    lazy = kwargs.get("lazy")
    foreign_keys = kwargs.get("foreign_keys")
    cascade = _literal_str(kwargs.get("cascade"))
    if cascade is None and _literal_bool(kwargs.get("cascade_delete")):
        cascade = "all, delete-orphan"  # SQLModel's ``cascade_delete=True``
    return RelationshipDef(
        attr=sys.intern(attr),
        owner=owner,
        call=call,
        span=extractor.span(statement),
        report_span=call.span,
        target=target,
        collection=collection,
        back_populates=_literal_str(kwargs.get("back_populates")),
        backref=backref,
        backref_literal=backref_literal,
        secondary=_secondary_name(secondary),
        cascade=cascade,
        passive_deletes=_literal_bool(kwargs.get("passive_deletes"))
        or (
            kwargs.get("passive_deletes") is not None and kwargs["passive_deletes"].literal == "all"
        ),
        lazy=lazy.literal if lazy is not None else (loader or _NO_LITERAL),
        has_lazy=lazy is not None
        or loader is not None
        or call.has_star
        or (holder is None and sa_kwargs is not None),
        viewonly=_literal_bool(kwargs.get("viewonly")),
        explicit_join=foreign_keys is not None
        or any(k in kwargs for k in ("primaryjoin", "secondaryjoin", "remote_side")),
        foreign_keys=_column_names(foreign_keys.source) if foreign_keys is not None else [],
        sa_kwargs=holder,
    )


def _dict_call(extractor: ModelExtractor, node: cst.BaseExpression) -> Call | None:
    """``{"lazy": "selectin"}`` or ``dict(lazy="selectin")`` as keyword arguments."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
        return extractor.call(node)
    if not isinstance(node, cst.Dict):
        return None
    kwargs: dict[str, Expr] = {}
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            return None
        key = element.key
        name = evaluated(key) if isinstance(key, cst.SimpleString) else None
        if not isinstance(name, str):
            return None
        kwargs[name] = extractor.expr(element.value)
    start, end = extractor.offsets_of(node)
    closing = end - 1  # the ``}``
    last = node.elements[-1] if node.elements else None
    if last is None:
        append = Insertion(closing, "", "")
    elif isinstance(last.comma, cst.Comma):
        append = Insertion(closing, " ", "")
    else:
        append = Insertion(extractor.offsets_of(last)[1], ", ", "")
    return Call(
        qualname=None,
        span=extractor.span(node),
        args=(),
        kwargs=Keywords.of(kwargs),
        has_star=False,
        places=call_places(append, Insertion(start + 1, "", ", ")),
    )


def _literal_str(value: Expr | None) -> str | None:
    return value.literal if value is not None and isinstance(value.literal, str) else None


def _literal_bool(value: Expr | None) -> bool:
    return value is not None and value.literal is True


def _secondary_name(value: Expr | None) -> str | None:
    if value is None:
        return None
    if isinstance(value.literal, str):
        return value.literal.rpartition(".")[2]
    if _IDENTIFIER.match(value.source):
        return value.source.rpartition(".")[2]
    return None


def _column_names(source: str) -> list[str]:
    """``[user_id]``, ``"Address.user_id"``, ``[Post.author_id]``: the column names named."""
    names = re.findall(r"[\"']?([A-Za-z_][\w.]*)[\"']?", source.strip("[]() "))
    return [name.rpartition(".")[2] for name in names]
