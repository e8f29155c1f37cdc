package io.dbrecover.forwardfix.internal;

import io.dbrecover.forwardfix.internal.Catalog.Column;
import io.dbrecover.forwardfix.internal.Catalog.Constraint;
import io.dbrecover.forwardfix.internal.Catalog.EnumType;
import io.dbrecover.forwardfix.internal.Catalog.Function;
import io.dbrecover.forwardfix.internal.Catalog.Index;
import io.dbrecover.forwardfix.internal.Catalog.Sequence;
import io.dbrecover.forwardfix.internal.Catalog.Table;
import io.dbrecover.forwardfix.internal.Catalog.Trigger;
import io.dbrecover.forwardfix.internal.Catalog.View;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a {@link Catalog} from the PostgreSQL catalogs. Read-only. Objects that belong to an
 * extension, to PostgreSQL itself, or to a migration tool's bookkeeping ({@code
 * _prisma_migrations}, the {@code drizzle} schema, {@code flyway_schema_history}) are left out.
 */
public final class CatalogReader {
  private static final String USER_NS =
      " n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'drizzle')"
          + " and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%' ";
  private static final String REL = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)";
  private static final String NOT_EXTENSION =
      " not exists (select 1 from pg_depend x where x.classid = '%s'::regclass"
          + " and x.objid = %s and x.deptype = 'e') ";
  private static final String USER_REL =
      USER_NS
          + " and c.relname not in ('_prisma_migrations', 'flyway_schema_history') and "
          + String.format(NOT_EXTENSION, "pg_class", "c.oid");

  private CatalogReader() {}

  /** Reads the schema of the database {@code c} is connected to. */
  public static Catalog read(Connection c) throws SQLException {
    String searchPath = one(c, "select current_setting('search_path')");
    // An empty search path makes the server qualify every name it renders.
    exec(c, "select set_config('search_path', '', false)");
    try {
      return readQualified(c);
    } finally {
      exec(c, "select set_config('search_path', " + literal(searchPath) + ", false)");
    }
  }

  private static Catalog readQualified(Connection c) throws SQLException {
    SortedMap<String, String> comments = new TreeMap<>();
    Set<String> schemas = new TreeSet<>();
    query(
        c,
        "select quote_ident(n.nspname), obj_description(n.oid, 'pg_namespace') from pg_namespace n"
            + " where"
            + USER_NS
            + " and "
            + String.format(NOT_EXTENSION, "pg_namespace", "n.oid"),
        rs -> {
          schemas.add(rs.getString(1));
          comment(comments, "SCHEMA " + rs.getString(1), rs.getString(2));
        });
    SortedMap<String, TableBuilder> tables = new TreeMap<>();
    query(
        c,
        "select "
            + REL
            + ", obj_description(c.oid, 'pg_class') from pg_class c join pg_namespace n on"
            + " n.oid = c.relnamespace where c.relkind in ('r', 'p') and"
            + USER_REL,
        rs -> {
          tables.put(rs.getString(1), new TableBuilder(rs.getString(1)));
          comment(comments, "TABLE " + rs.getString(1), rs.getString(2));
        });
    columns(c, tables, comments);
    constraints(c, tables, comments);
    SortedMap<String, View> views = views(c, comments);
    indexes(c, tables, views, comments);
    triggers(c, tables, comments);
    SortedMap<String, Table> built = new TreeMap<>();
    tables.forEach((k, v) -> built.put(k, v.build()));
    return new Catalog(
        schemas,
        built,
        enums(c, comments),
        sequences(c, comments),
        views,
        functions(c, comments),
        comments);
  }

  private static void columns(
      Connection c, SortedMap<String, TableBuilder> tables, SortedMap<String, String> comments)
      throws SQLException {
    query(
        c,
        "select "
            + REL
            + ", quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),"
            + " case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end,"
            + " a.attnotnull, a.attidentity,"
            + " case when a.attgenerated <> '' then pg_get_expr(d.adbin, d.adrelid) end,"
            + " case when a.attcollation <> t.typcollation"
            + "  then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end,"
            + " col_description(c.oid, a.attnum)"
            + " from pg_attribute a join pg_class c on c.oid = a.attrelid"
            + " join pg_namespace n on n.oid = c.relnamespace join pg_type t on t.oid = a.atttypid"
            + " left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum"
            + " left join pg_collation co on co.oid = a.attcollation"
            + " left join pg_namespace cn on cn.oid = co.collnamespace"
            + " where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p') and"
            + USER_REL,
        rs -> {
          TableBuilder t = tables.get(rs.getString(1));
          String name = rs.getString(2);
          t.columns.put(
              name,
              new Column(
                  name,
                  rs.getString(3),
                  rs.getString(4),
                  rs.getBoolean(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getString(8)));
          comment(comments, "COLUMN " + t.name + "." + name, rs.getString(9));
        });
  }

  private static void constraints(
      Connection c, SortedMap<String, TableBuilder> tables, SortedMap<String, String> comments)
      throws SQLException {
    query(
        c,
        "select "
            + REL
            + ", quote_ident(k.conname), k.contype, pg_get_constraintdef(k.oid),"
            + " obj_description(k.oid, 'pg_constraint')"
            + " from pg_constraint k join pg_class c on c.oid = k.conrelid"
            + " join pg_namespace n on n.oid = c.relnamespace"
            + " where k.contype in ('p', 'u', 'c', 'f', 'x') and c.relkind in ('r', 'p') and"
            + USER_REL,
        rs -> {
          TableBuilder t = tables.get(rs.getString(1));
          String name = rs.getString(2);
          t.constraints.put(name, new Constraint(name, rs.getString(3), rs.getString(4)));
          comment(comments, "CONSTRAINT " + name + " ON " + t.name, rs.getString(5));
        });
  }

  private static void indexes(
      Connection c,
      SortedMap<String, TableBuilder> tables,
      SortedMap<String, View> views,
      SortedMap<String, String> comments)
      throws SQLException {
    query(
        c,
        "select "
            + REL
            + ", quote_ident(n.nspname) || '.' || quote_ident(ci.relname),"
            + " pg_get_indexdef(i.indexrelid), obj_description(ci.oid, 'pg_class')"
            + " from pg_index i join pg_class c on c.oid = i.indrelid"
            + " join pg_class ci on ci.oid = i.indexrelid"
            + " join pg_namespace n on n.oid = c.relnamespace"
            + " where c.relkind in ('r', 'p', 'm') and not exists (select 1 from pg_constraint k"
            + "  where k.conindid = i.indexrelid and k.conrelid = i.indrelid"
            + "  and k.contype in ('p', 'u', 'x')) and"
            + USER_REL,
        rs -> {
          String name = rs.getString(2);
          Index index = new Index(name, rs.getString(3));
          TableBuilder t = tables.get(rs.getString(1));
          if (t != null) {
            t.indexes.put(name, index);
          } else {
            views.get(rs.getString(1)).indexes().put(name, index);
          }
          comment(comments, "INDEX " + name, rs.getString(4));
        });
  }

  private static void triggers(
      Connection c, SortedMap<String, TableBuilder> tables, SortedMap<String, String> comments)
      throws SQLException {
    query(
        c,
        "select "
            + REL
            + ", quote_ident(g.tgname), pg_get_triggerdef(g.oid),"
            + " obj_description(g.oid, 'pg_trigger')"
            + " from pg_trigger g join pg_class c on c.oid = g.tgrelid"
            + " join pg_namespace n on n.oid = c.relnamespace"
            + " where not g.tgisinternal and c.relkind in ('r', 'p') and"
            + USER_REL,
        rs -> {
          TableBuilder t = tables.get(rs.getString(1));
          String name = rs.getString(2);
          t.triggers.put(name, new Trigger(name, rs.getString(3)));
          comment(comments, "TRIGGER " + name + " ON " + t.name, rs.getString(4));
        });
  }

  private static SortedMap<String, View> views(Connection c, SortedMap<String, String> comments)
      throws SQLException {
    SortedMap<String, View> views = new TreeMap<>();
    query(
        c,
        "select "
            + REL
            + ", c.relkind = 'm', pg_get_viewdef(c.oid), obj_description(c.oid, 'pg_class')"
            + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            + " where c.relkind in ('v', 'm') and"
            + USER_REL,
        rs -> {
          boolean mat = rs.getBoolean(2);
          views.put(
              rs.getString(1),
              new View(rs.getString(1), mat, rs.getString(3), new TreeSet<>(), new TreeMap<>()));
          comment(
              comments, (mat ? "MATERIALIZED VIEW " : "VIEW ") + rs.getString(1), rs.getString(4));
        });
    query(
        c,
        "select distinct "
            + REL
            + ", quote_ident(rn.nspname) || '.' || quote_ident(r.relname)"
            + " from pg_rewrite w join pg_class c on c.oid = w.ev_class"
            + " join pg_namespace n on n.oid = c.relnamespace"
            + " join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = w.oid"
            + "  and d.refclassid = 'pg_class'::regclass and d.refobjid <> c.oid"
            + " join pg_class r on r.oid = d.refobjid"
            + " join pg_namespace rn on rn.oid = r.relnamespace"
            + " where c.relkind in ('v', 'm') and"
            + USER_REL,
        rs -> views.get(rs.getString(1)).dependsOn().add(rs.getString(2)));
    return views;
  }

  private static SortedMap<String, EnumType> enums(Connection c, SortedMap<String, String> comments)
      throws SQLException {
    SortedMap<String, EnumType> enums = new TreeMap<>();
    query(
        c,
        "select quote_ident(n.nspname) || '.' || quote_ident(t.typname),"
            + " array_agg(e.enumlabel::text order by e.enumsortorder),"
            + " obj_description(t.oid, 'pg_type')"
            + " from pg_type t join pg_namespace n on n.oid = t.typnamespace"
            + " join pg_enum e on e.enumtypid = t.oid where"
            + USER_NS
            + " and "
            + String.format(NOT_EXTENSION, "pg_type", "t.oid")
            + " group by 1, 3",
        rs -> {
          Array labels = rs.getArray(2);
          enums.put(
              rs.getString(1),
              new EnumType(
                  rs.getString(1), List.copyOf(Arrays.asList((String[]) labels.getArray()))));
          comment(comments, "TYPE " + rs.getString(1), rs.getString(3));
        });
    return enums;
  }

  private static SortedMap<String, Sequence> sequences(
      Connection c, SortedMap<String, String> comments) throws SQLException {
    SortedMap<String, Sequence> sequences = new TreeMap<>();
    query(
        c,
        "select "
            + REL
            + ", format_type(s.seqtypid, null), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,"
            + " s.seqcache, s.seqcycle,"
            + " (select quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || '.'"
            + "   || quote_ident(a.attname) from pg_depend d join pg_class tc on tc.oid = d.refobjid"
            + "   join pg_namespace tn on tn.oid = tc.relnamespace"
            + "   join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid"
            + "   where d.classid = 'pg_class'::regclass and d.objid = c.oid"
            + "   and d.refclassid = 'pg_class'::regclass and d.deptype = 'a'),"
            + " obj_description(c.oid, 'pg_class')"
            + " from pg_sequence s join pg_class c on c.oid = s.seqrelid"
            + " join pg_namespace n on n.oid = c.relnamespace"
            + " where not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass"
            + "  and d.objid = c.oid and d.deptype = 'i') and"
            + USER_REL,
        rs -> {
          sequences.put(
              rs.getString(1),
              new Sequence(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getLong(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getLong(7),
                  rs.getBoolean(8),
                  rs.getString(9)));
          comment(comments, "SEQUENCE " + rs.getString(1), rs.getString(10));
        });
    return sequences;
  }

  private static SortedMap<String, Function> functions(
      Connection c, SortedMap<String, String> comments) throws SQLException {
    SortedMap<String, Function> functions = new TreeMap<>();
    query(
        c,
        "select quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('"
            + " || pg_get_function_identity_arguments(p.oid) || ')', p.prokind,"
            + " pg_get_function_result(p.oid), pg_get_functiondef(p.oid),"
            + " obj_description(p.oid, 'pg_proc'), p.prosqlbody is not null"
            + " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
            + " where p.prokind in ('f', 'p') and"
            + USER_NS
            + " and "
            + String.format(NOT_EXTENSION, "pg_proc", "p.oid"),
        rs -> {
          String sig = rs.getString(1);
          functions.put(
              sig, new Function(sig, rs.getString(3), rs.getString(4).strip(), rs.getBoolean(6)));
          comment(
              comments,
              (rs.getString(2).equals("p") ? "PROCEDURE " : "FUNCTION ") + sig,
              rs.getString(5));
        });
    return functions;
  }

  private static void comment(SortedMap<String, String> comments, String key, String text) {
    if (text != null) {
      comments.put(key, text);
    }
  }

  private interface Row {
    void accept(ResultSet rs) throws SQLException;
  }

  private static void query(Connection c, String sql, Row row) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        row.accept(rs);
      }
    }
  }

  private static String one(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    query(c, sql, rs -> out.add(rs.getString(1)));
    return out.get(0);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** A SQL string literal. */
  static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static final class TableBuilder {
    final String name;
    final SortedMap<String, Column> columns = new TreeMap<>();
    final SortedMap<String, Constraint> constraints = new TreeMap<>();
    final SortedMap<String, Index> indexes = new TreeMap<>();
    final SortedMap<String, Trigger> triggers = new TreeMap<>();

    TableBuilder(String name) {
      this.name = name;
    }

    Table build() {
      return new Table(name, columns, constraints, indexes, triggers);
    }
  }
}
