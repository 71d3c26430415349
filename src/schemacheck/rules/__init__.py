"""The rule registry: every rule class, by code and by name."""

from __future__ import annotations

from schemacheck.rules.base import Option, Rule
from schemacheck.rules.checker.syntax_error import SyntaxError as SyntaxErrorRule
from schemacheck.rules.checker.unused_noqa import UnusedNoqa
from schemacheck.rules.columns.called_default import CalledDefault
from schemacheck.rules.columns.column_name_convention import ColumnNameConvention
from schemacheck.rules.columns.float_for_money import FloatForMoney
from schemacheck.rules.columns.legacy_column import LegacyColumn
from schemacheck.rules.columns.mutable_default import MutableDefault
from schemacheck.rules.columns.naive_utcnow_default import NaiveUtcnowDefault
from schemacheck.rules.columns.nullable_boolean import NullableBoolean
from schemacheck.rules.columns.nullable_conflict import NullableConflict
from schemacheck.rules.columns.nullable_implicit import NullableImplicit
from schemacheck.rules.columns.postgresql_types import (
    DatetimeWithoutTimezone,
    JsonNotJsonb,
    ShortPrimaryKey,
)
from schemacheck.rules.columns.string_without_length import StringWithoutLength
from schemacheck.rules.foreign_keys.fk_missing_index import FkMissingIndex
from schemacheck.rules.foreign_keys.fk_missing_ondelete import FkMissingOndelete
from schemacheck.rules.foreign_keys.fk_target_unknown import FkTargetUnknown
from schemacheck.rules.foreign_keys.fk_type_mismatch import FkTypeMismatch
from schemacheck.rules.foreign_keys.set_null_on_non_nullable import SetNullOnNonNullable
from schemacheck.rules.migrations.add_required_column import AddRequiredColumnWithoutDefault
from schemacheck.rules.migrations.column_type_change import ColumnTypeChange
from schemacheck.rules.migrations.concurrent_index_in_transaction import (
    ConcurrentIndexInTransaction,
)
from schemacheck.rules.migrations.destructive_operation import DestructiveOperation
from schemacheck.rules.migrations.downgrade_incomplete import DowngradeIncomplete
from schemacheck.rules.migrations.fk_validated_under_lock import FkValidatedUnderLock
from schemacheck.rules.migrations.fk_without_index import MigrationFkWithoutIndex
from schemacheck.rules.migrations.index_not_concurrent import IndexNotConcurrent
from schemacheck.rules.migrations.migration_filename import MigrationFilename
from schemacheck.rules.migrations.missing_downgrade import MissingDowngrade
from schemacheck.rules.migrations.revision_graph import RevisionGraph
from schemacheck.rules.migrations.sqlite_needs_batch import SqliteNeedsBatch
from schemacheck.rules.queries.legacy_query_api import LegacyQueryApi
from schemacheck.rules.queries.sql_string_formatting import SqlStringFormatting
from schemacheck.rules.queries.sync_engine_in_async_project import SyncEngineInAsyncProject
from schemacheck.rules.relationships.association_table_missing_key import (
    AssociationTableMissingKey,
)
from schemacheck.rules.relationships.async_lazy_relationship import AsyncLazyRelationship
from schemacheck.rules.relationships.back_populates_mismatch import BackPopulatesMismatch
from schemacheck.rules.relationships.missing_back_populates import (
    RelationshipMissingBackPopulates,
)
from schemacheck.rules.relationships.orm_cascade_without_db_cascade import (
    OrmCascadeWithoutDbCascade,
)
from schemacheck.rules.relationships.uses_backref import RelationshipUsesBackref
from schemacheck.rules.tables.duplicate_column import DuplicateColumn
from schemacheck.rules.tables.legacy_declarative_base import LegacyDeclarativeBase
from schemacheck.rules.tables.metadata_without_naming_convention import (
    MetadataWithoutNamingConvention,
)
from schemacheck.rules.tables.missing_primary_key import MissingPrimaryKey
from schemacheck.rules.tables.missing_timestamps import MissingTimestamps
from schemacheck.rules.tables.redundant_index import RedundantIndex
from schemacheck.rules.tables.required_column import RequiredColumn
from schemacheck.rules.tables.table_name_convention import TableNameConvention
from schemacheck.rules.tables.updated_at_without_onupdate import UpdatedAtWithoutOnupdate

ALL_RULES: tuple[type[Rule], ...] = tuple(
    sorted(
        (
            SyntaxErrorRule,
            UnusedNoqa,
            FkMissingOndelete,
            FkMissingIndex,
            FkTargetUnknown,
            FkTypeMismatch,
            RelationshipMissingBackPopulates,
            RelationshipUsesBackref,
            BackPopulatesMismatch,
            OrmCascadeWithoutDbCascade,
            AsyncLazyRelationship,
            AssociationTableMissingKey,
            SetNullOnNonNullable,
            LegacyColumn,
            StringWithoutLength,
            MissingTimestamps,
            NullableImplicit,
            NullableConflict,
            MutableDefault,
            CalledDefault,
            NaiveUtcnowDefault,
            NullableBoolean,
            FloatForMoney,
            DatetimeWithoutTimezone,
            JsonNotJsonb,
            ShortPrimaryKey,
            UpdatedAtWithoutOnupdate,
            MissingPrimaryKey,
            TableNameConvention,
            ColumnNameConvention,
            DuplicateColumn,
            RequiredColumn,
            LegacyDeclarativeBase,
            LegacyQueryApi,
            SqlStringFormatting,
            SyncEngineInAsyncProject,
            RedundantIndex,
            MetadataWithoutNamingConvention,
            MissingDowngrade,
            DowngradeIncomplete,
            AddRequiredColumnWithoutDefault,
            IndexNotConcurrent,
            DestructiveOperation,
            ColumnTypeChange,
            MigrationFilename,
            RevisionGraph,
            SqliteNeedsBatch,
            MigrationFkWithoutIndex,
            ConcurrentIndexInTransaction,
            FkValidatedUnderLock,
        ),
        key=lambda rule: rule.code,
    )
)
BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "BY_CODE", "BY_NAME", "Option", "Rule"]
