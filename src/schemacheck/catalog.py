"""Every rule's code, name, module, and what decides whether it is on, as data.

A run needs to know which rules are selected before any file is read: to validate the
configuration, and to find the cache's record of the last run. Importing every rule module for
that (and the model code they build on) cost as much as the rest of a cached run. This table
answers without importing them; :func:`load` imports one rule when a file is checked.
A test holds each entry equal to its class's attributes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from schemacheck.rules.base import Rule


class RuleEntry(NamedTuple):  # not a dataclass: making one is a tenth of a cached run's import
    code: str
    name: str
    where: str  # "module:Class", the module under ``schemacheck.rules``
    default_enabled: bool = True
    dialects: tuple[str, ...] = ()  # on by default for projects on one of these dialects
    for_async: bool = False  # on by default when the ``async`` setting is true
    enabled_by_option: str | None = None  # on by default once this option is set

    def load(self) -> type[Rule]:
        module, _, name = self.where.partition(":")
        rule: type[Rule] = getattr(importlib.import_module(f"schemacheck.rules.{module}"), name)
        return rule


ENTRIES: tuple[RuleEntry, ...] = (
    RuleEntry("SC001", "syntax-error", "checker.syntax_error:SyntaxError"),
    RuleEntry("SC002", "unused-noqa", "checker.unused_noqa:UnusedNoqa", default_enabled=False),
    RuleEntry("SC101", "fk-missing-ondelete", "foreign_keys.fk_missing_ondelete:FkMissingOndelete"),
    RuleEntry("SC102", "fk-missing-index", "foreign_keys.fk_missing_index:FkMissingIndex"),
    RuleEntry("SC103", "fk-target-unknown", "foreign_keys.fk_target_unknown:FkTargetUnknown"),
    RuleEntry("SC104", "fk-type-mismatch", "foreign_keys.fk_type_mismatch:FkTypeMismatch"),
    RuleEntry(
        "SC105",
        "relationship-missing-back-populates",
        "relationships.missing_back_populates:RelationshipMissingBackPopulates",
    ),
    RuleEntry(
        "SC106", "relationship-uses-backref", "relationships.uses_backref:RelationshipUsesBackref"
    ),
    RuleEntry(
        "SC107",
        "back-populates-mismatch",
        "relationships.back_populates_mismatch:BackPopulatesMismatch",
    ),
    RuleEntry(
        "SC108",
        "orm-cascade-without-db-cascade",
        "relationships.orm_cascade_without_db_cascade:OrmCascadeWithoutDbCascade",
    ),
    RuleEntry(
        "SC109",
        "async-lazy-relationship",
        "relationships.async_lazy_relationship:AsyncLazyRelationship",
        default_enabled=False,
        for_async=True,
    ),
    RuleEntry(
        "SC110",
        "association-table-missing-key",
        "relationships.association_table_missing_key:AssociationTableMissingKey",
    ),
    RuleEntry(
        "SC111",
        "set-null-on-non-nullable",
        "foreign_keys.set_null_on_non_nullable:SetNullOnNonNullable",
    ),
    RuleEntry("SC201", "legacy-column", "columns.legacy_column:LegacyColumn"),
    RuleEntry(
        "SC202", "string-without-length", "columns.string_without_length:StringWithoutLength"
    ),
    RuleEntry("SC203", "nullable-implicit", "columns.nullable_implicit:NullableImplicit"),
    RuleEntry("SC204", "nullable-conflict", "columns.nullable_conflict:NullableConflict"),
    RuleEntry("SC205", "mutable-default", "columns.mutable_default:MutableDefault"),
    RuleEntry("SC206", "called-default", "columns.called_default:CalledDefault"),
    RuleEntry("SC207", "naive-utcnow-default", "columns.naive_utcnow_default:NaiveUtcnowDefault"),
    RuleEntry(
        "SC208",
        "datetime-without-timezone",
        "columns.postgresql_types:DatetimeWithoutTimezone",
        default_enabled=False,
        dialects=("postgresql",),
    ),
    RuleEntry(
        "SC209",
        "json-not-jsonb",
        "columns.postgresql_types:JsonNotJsonb",
        default_enabled=False,
        dialects=("postgresql",),
    ),
    RuleEntry("SC210", "float-for-money", "columns.float_for_money:FloatForMoney"),
    RuleEntry("SC211", "nullable-boolean", "columns.nullable_boolean:NullableBoolean"),
    RuleEntry("SC301", "missing-primary-key", "tables.missing_primary_key:MissingPrimaryKey"),
    RuleEntry("SC302", "missing-timestamps", "tables.missing_timestamps:MissingTimestamps"),
    RuleEntry(
        "SC303",
        "updated-at-without-onupdate",
        "tables.updated_at_without_onupdate:UpdatedAtWithoutOnupdate",
    ),
    RuleEntry("SC304", "table-name-convention", "tables.table_name_convention:TableNameConvention"),
    RuleEntry(
        "SC305", "column-name-convention", "columns.column_name_convention:ColumnNameConvention"
    ),
    RuleEntry("SC306", "redundant-index", "tables.redundant_index:RedundantIndex"),
    RuleEntry(
        "SC307",
        "required-column",
        "tables.required_column:RequiredColumn",
        default_enabled=False,
        enabled_by_option="columns",
    ),
    RuleEntry(
        "SC308",
        "metadata-without-naming-convention",
        "tables.metadata_without_naming_convention:MetadataWithoutNamingConvention",
    ),
    RuleEntry(
        "SC309", "legacy-declarative-base", "tables.legacy_declarative_base:LegacyDeclarativeBase"
    ),
    RuleEntry("SC310", "duplicate-column", "tables.duplicate_column:DuplicateColumn"),
    RuleEntry(
        "SC311",
        "short-primary-key",
        "columns.postgresql_types:ShortPrimaryKey",
        default_enabled=False,
        dialects=("postgresql",),
    ),
    RuleEntry(
        "SC401",
        "legacy-query-api",
        "queries.legacy_query_api:LegacyQueryApi",
        default_enabled=False,
    ),
    RuleEntry(
        "SC402", "sql-string-formatting", "queries.sql_string_formatting:SqlStringFormatting"
    ),
    RuleEntry(
        "SC403",
        "sync-engine-in-async-project",
        "queries.sync_engine_in_async_project:SyncEngineInAsyncProject",
        default_enabled=False,
        for_async=True,
    ),
    RuleEntry("SC501", "missing-downgrade", "migrations.missing_downgrade:MissingDowngrade"),
    RuleEntry(
        "SC502", "downgrade-incomplete", "migrations.downgrade_incomplete:DowngradeIncomplete"
    ),
    RuleEntry(
        "SC503",
        "add-required-column-without-default",
        "migrations.add_required_column:AddRequiredColumnWithoutDefault",
    ),
    RuleEntry(
        "SC504",
        "index-not-concurrent",
        "migrations.index_not_concurrent:IndexNotConcurrent",
        default_enabled=False,
        dialects=("postgresql",),
    ),
    RuleEntry(
        "SC505", "destructive-operation", "migrations.destructive_operation:DestructiveOperation"
    ),
    RuleEntry("SC506", "column-type-change", "migrations.column_type_change:ColumnTypeChange"),
    RuleEntry(
        "SC507",
        "migration-filename",
        "migrations.migration_filename:MigrationFilename",
        default_enabled=False,
    ),
    RuleEntry("SC508", "revision-graph", "migrations.revision_graph:RevisionGraph"),
    RuleEntry(
        "SC509",
        "sqlite-needs-batch",
        "migrations.sqlite_needs_batch:SqliteNeedsBatch",
        default_enabled=False,
        dialects=("sqlite",),
    ),
    RuleEntry(
        "SC510", "migration-fk-without-index", "migrations.fk_without_index:MigrationFkWithoutIndex"
    ),
    RuleEntry(
        "SC511",
        "concurrent-index-in-transaction",
        "migrations.concurrent_index_in_transaction:ConcurrentIndexInTransaction",
    ),
    RuleEntry(
        "SC512",
        "fk-validated-under-lock",
        "migrations.fk_validated_under_lock:FkValidatedUnderLock",
        default_enabled=False,
        dialects=("postgresql",),
    ),
)
BY_CODE: dict[str, RuleEntry] = {entry.code: entry for entry in ENTRIES}
BY_NAME: dict[str, RuleEntry] = {entry.name: entry for entry in ENTRIES}
