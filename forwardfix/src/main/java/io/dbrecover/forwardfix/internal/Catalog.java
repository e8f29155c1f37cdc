package io.dbrecover.forwardfix.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * A database schema as the PostgreSQL catalogs describe it, with every name quoted and schema
 * qualified and every definition rendered by the server ({@code format_type}, {@code pg_get_expr},
 * {@code pg_get_constraintdef}, {@code pg_get_indexdef}, {@code pg_get_viewdef}, {@code
 * pg_get_functiondef}, {@code pg_get_triggerdef}) with an empty search path, so two databases with
 * the same schema compare equal. Column order is not part of it: a column added back goes last.
 * Maps are sorted by key, so equal schemas print identically.
 */
public record Catalog(
    Set<String> schemas,
    SortedMap<String, Table> tables,
    SortedMap<String, EnumType> enums,
    SortedMap<String, Sequence> sequences,
    SortedMap<String, View> views,
    SortedMap<String, Function> functions,
    SortedMap<String, String> comments) {

  /** A table: {@code name} is {@code "schema"."table"} as {@code quote_ident} writes it. */
  public record Table(
      String name,
      SortedMap<String, Column> columns,
      SortedMap<String, Constraint> constraints,
      SortedMap<String, Index> indexes,
      SortedMap<String, Trigger> triggers) {}

  /**
   * A column.
   *
   * @param type {@code format_type} with the type modifier, schema qualified
   * @param defaultExpr the default ({@code pg_get_expr}), null when none or generated
   * @param identity {@code a} (always), {@code d} (by default) or empty
   * @param generated the stored generation expression, null when not generated
   * @param collation the collation when it differs from the type's, else null
   */
  public record Column(
      String name,
      String type,
      String defaultExpr,
      boolean notNull,
      String identity,
      String generated,
      String collation) {}

  /** A constraint: {@code type} is pg_constraint.contype ({@code p u c f x}). */
  public record Constraint(String name, String type, String definition) {
    public boolean foreignKey() {
      return type.equals("f");
    }
  }

  /** An index not backing a constraint; {@code definition} is the full CREATE INDEX statement. */
  public record Index(String name, String definition) {}

  /** A trigger; {@code definition} is the full CREATE TRIGGER statement. */
  public record Trigger(String name, String definition) {}

  /** An enum type and its labels in sort order. */
  public record EnumType(String name, List<String> labels) {}

  /**
   * A sequence not created for an identity column.
   *
   * @param ownedBy {@code table.column} for serial columns, else null
   */
  public record Sequence(
      String name,
      String type,
      long start,
      long increment,
      long min,
      long max,
      long cache,
      boolean cycle,
      String ownedBy) {}

  /**
   * A view or materialized view.
   *
   * @param dependsOn the relations and views its query reads
   * @param indexes a materialized view's indexes
   */
  public record View(
      String name,
      boolean materialized,
      String definition,
      Set<String> dependsOn,
      SortedMap<String, Index> indexes) {}

  /**
   * A function or procedure.
   *
   * @param signature {@code "schema"."name"(identity arguments)}
   * @param result {@code pg_get_function_result}; a change needs a drop and create
   * @param definition the full CREATE OR REPLACE statement
   * @param sqlBody whether the body is SQL-standard ({@code RETURN} or {@code BEGIN ATOMIC}):
   *     parsed at creation, so it is created after the tables and columns it reads
   */
  public record Function(String signature, String result, String definition, boolean sqlBody) {}

  /** Every table, view and sequence name: what a relation dependency can point at. */
  public boolean hasRelation(String name) {
    return tables.containsKey(name) || views.containsKey(name) || sequences.containsKey(name);
  }

  /** The objects grouped by kind, for messages: counts per kind. */
  public Map<String, Integer> counts() {
    return Map.of(
        "schemas", schemas.size(),
        "tables", tables.size(),
        "enums", enums.size(),
        "sequences", sequences.size(),
        "views", views.size(),
        "functions", functions.size(),
        "comments", comments.size());
  }
}
