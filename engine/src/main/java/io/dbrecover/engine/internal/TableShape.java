package io.dbrecover.engine.internal;

import io.dbrecover.engine.spi.DatabaseInspector;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A user table as the data-loss comparison sees it: its columns in order, its primary key and the
 * key columns' types ({@code regtype} names, e.g. {@code integer}). Partitions are left out; their
 * rows are read through the partitioned table.
 */
record TableShape(
    String schema,
    String table,
    List<String> columns,
    List<String> primaryKey,
    List<String> primaryKeyTypes) {
  private static final Set<String> INTEGER_TYPES = Set.of("smallint", "integer", "bigint");

  private static final String QUERY =
      "select n.nspname, c.relname,"
          + " array(select a.attname::text from pg_attribute a where a.attrelid = c.oid"
          + " and a.attnum > 0 and not a.attisdropped order by a.attnum),"
          + " array(select a.attname::text from pg_index i"
          + " cross join unnest(i.indkey) with ordinality k(attnum, ord)"
          + " join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum"
          + " where i.indrelid = c.oid and i.indisprimary order by k.ord),"
          + " array(select a.atttypid::regtype::text from pg_index i"
          + " cross join unnest(i.indkey) with ordinality k(attnum, ord)"
          + " join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum"
          + " where i.indrelid = c.oid and i.indisprimary order by k.ord)"
          + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
          + " where c.relkind in ('r', 'p') and not c.relispartition"
          + " and n.nspname not in ('pg_catalog', 'information_schema')"
          + " and n.nspname !~ '^pg_(toast|temp_)'";

  TableShape {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    primaryKeyTypes = List.copyOf(primaryKeyTypes);
  }

  /** Every user table of the database, keyed and sorted by {@link #name()}. */
  static Map<String, TableShape> load(Connection c) throws SQLException {
    Map<String, TableShape> tables = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(QUERY)) {
      while (rs.next()) {
        TableShape t =
            new TableShape(
                rs.getString(1), rs.getString(2), strings(rs, 3), strings(rs, 4), strings(rs, 5));
        tables.put(t.name(), t);
      }
    }
    return tables;
  }

  /** Whether the primary key is one column of type smallint, integer or bigint. */
  boolean integerKey() {
    return primaryKeyTypes.size() == 1 && INTEGER_TYPES.contains(primaryKeyTypes.get(0));
  }

  /** {@code schema.table}, unquoted, for reports. */
  String name() {
    return schema + "." + table;
  }

  /** The quoted, schema-qualified name for SQL. */
  String sqlName() {
    return DatabaseInspector.quoteIdent(schema) + "." + DatabaseInspector.quoteIdent(table);
  }

  /**
   * A text expression over the given columns of alias {@code t}, in byte (C) collation so hashes do
   * not depend on the database's collation.
   */
  static String rowText(List<String> columns) {
    return "(row("
        + columns.stream()
            .map(col -> "t." + DatabaseInspector.quoteIdent(col))
            .collect(Collectors.joining(", "))
        + ")::text collate \"C\")";
  }

  private static List<String> strings(ResultSet rs, int column) throws SQLException {
    Array array = rs.getArray(column);
    return List.of((String[]) array.getArray());
  }
}
