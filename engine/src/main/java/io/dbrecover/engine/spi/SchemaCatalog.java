package io.dbrecover.engine.spi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Catalog queries behind {@link DatabaseInspector}. Each description query yields one text line per
 * object; the lines are sorted, so query order and OIDs never matter.
 */
final class SchemaCatalog {
  /** Namespaces that belong to the user: not the system catalogs, TOAST or temporary schemas. */
  static final String USER_NS =
      "n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp_)'";

  /** Ordinary and partitioned user tables: schema, name. */
  static final String USER_TABLES =
      "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
          + " where c.relkind in ('r', 'p') and "
          + USER_NS
          + " order by 1, 2";

  private static final String EXTENSION_MEMBER =
      "exists (select 1 from pg_depend dep where dep.classid = '%s'::regclass"
          + " and dep.objid = %s and dep.deptype = 'e')";

  private static final List<String> DESCRIPTION_QUERIES =
      List.of(
          "select format('schema %I', n.nspname) from pg_namespace n where " + USER_NS,
          "select format('extension %I %s schema %I', e.extname, e.extversion, n.nspname)"
              + " from pg_extension e join pg_namespace n on n.oid = e.extnamespace",
          "select format('relation %I.%I kind=%s persistence=%s options=%s partition_key=%s"
              + " bound=%s rls=%s force_rls=%s', n.nspname, c.relname, c.relkind,"
              + " c.relpersistence, array_to_string(c.reloptions, ','),"
              + " case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end,"
              + " pg_get_expr(c.relpartbound, c.oid), c.relrowsecurity, c.relforcerowsecurity)"
              + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
              + " where c.relkind in ('r', 'p', 'v', 'm', 'f', 'c', 'S') and "
              + USER_NS,
          // Position among live columns, not attnum: a restore leaves no dropped-column gaps.
          "select format('column %I.%I #%s %I %s not_null=%s default=%s identity=%s generated=%s"
              + " collation=%s', n.nspname, c.relname,"
              + " row_number() over (partition by c.oid order by a.attnum), a.attname,"
              + " format_type(a.atttypid, a.atttypmod), a.attnotnull,"
              + " pg_get_expr(d.adbin, d.adrelid), nullif(a.attidentity, ''),"
              + " nullif(a.attgenerated, ''),"
              + " case when a.attcollation <> t.typcollation then co.collname end)"
              + " from pg_attribute a join pg_class c on c.oid = a.attrelid"
              + " join pg_namespace n on n.oid = c.relnamespace"
              + " join pg_type t on t.oid = a.atttypid"
              + " left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum"
              + " left join pg_collation co on co.oid = a.attcollation"
              + " where a.attnum > 0 and not a.attisdropped"
              + " and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c') and "
              + USER_NS,
          "select format('constraint %s %I %s', coalesce(r.oid::regclass::text,"
              + " ty.oid::regtype::text), co.conname, pg_get_constraintdef(co.oid))"
              + " from pg_constraint co join pg_namespace n on n.oid = co.connamespace"
              + " left join pg_class r on r.oid = co.conrelid"
              + " left join pg_type ty on ty.oid = co.contypid where "
              + USER_NS,
          // pg_dump skips invalid indexes (a failed CREATE INDEX CONCURRENTLY), except partitioned.
          "select 'index ' || pg_get_indexdef(i.indexrelid) from pg_index i"
              + " join pg_class c on c.oid = i.indexrelid"
              + " join pg_namespace n on n.oid = c.relnamespace"
              + " where (i.indisvalid or c.relkind = 'I') and "
              + USER_NS,
          "select format('view %I.%I %s', n.nspname, c.relname, pg_get_viewdef(c.oid, true))"
              + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
              + " where c.relkind in ('v', 'm') and "
              + USER_NS,
          "select format('sequence %I.%I type=%s start=%s increment=%s min=%s max=%s cache=%s"
              + " cycle=%s owned_by=%s', n.nspname, c.relname, s.seqtypid::regtype, s.seqstart,"
              + " s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,"
              + " (select format('%s.%I', dep.refobjid::regclass, a.attname) from pg_depend dep"
              + " join pg_attribute a on a.attrelid = dep.refobjid and a.attnum = dep.refobjsubid"
              + " where dep.classid = 'pg_class'::regclass and dep.objid = s.seqrelid"
              + " and dep.refclassid = 'pg_class'::regclass and dep.deptype in ('a', 'i')"
              + " limit 1))"
              + " from pg_sequence s join pg_class c on c.oid = s.seqrelid"
              + " join pg_namespace n on n.oid = c.relnamespace where "
              + USER_NS,
          "select 'function ' || pg_get_functiondef(p.oid)"
              + " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
              + " where p.prokind <> 'a' and not "
              + String.format(EXTENSION_MEMBER, "pg_proc", "p.oid")
              + " and "
              + USER_NS,
          "select format('aggregate %I.%I(%s) transition=%s final=%s state=%s initial=%s',"
              + " n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),"
              + " a.aggtransfn, a.aggfinalfn, a.aggtranstype::regtype, a.agginitval)"
              + " from pg_aggregate a join pg_proc p on p.oid = a.aggfnoid"
              + " join pg_namespace n on n.oid = p.pronamespace where not "
              + String.format(EXTENSION_MEMBER, "pg_proc", "p.oid")
              + " and "
              + USER_NS,
          "select format('trigger %s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled)"
              + " from pg_trigger t join pg_class c on c.oid = t.tgrelid"
              + " join pg_namespace n on n.oid = c.relnamespace"
              + " where not t.tgisinternal and "
              + USER_NS,
          "select 'rule ' || pg_get_ruledef(r.oid) from pg_rewrite r"
              + " join pg_class c on c.oid = r.ev_class"
              + " join pg_namespace n on n.oid = c.relnamespace"
              + " where r.rulename <> '_RETURN' and "
              + USER_NS,
          "select format('policy %I.%I %I command=%s permissive=%s using=%s check=%s',"
              + " n.nspname, c.relname, p.polname, p.polcmd, p.polpermissive,"
              + " pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))"
              + " from pg_policy p join pg_class c on c.oid = p.polrelid"
              + " join pg_namespace n on n.oid = c.relnamespace where "
              + USER_NS,
          "select format('enum %I.%I %s', n.nspname, t.typname,"
              + " (select array_agg(e.enumlabel order by e.enumsortorder)::text"
              + " from pg_enum e where e.enumtypid = t.oid))"
              + " from pg_type t join pg_namespace n on n.oid = t.typnamespace"
              + " where t.typtype = 'e' and "
              + USER_NS,
          "select format('domain %I.%I %s not_null=%s default=%s', n.nspname, t.typname,"
              + " format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault)"
              + " from pg_type t join pg_namespace n on n.oid = t.typnamespace"
              + " where t.typtype = 'd' and "
              + USER_NS,
          "select format('range %I.%I subtype=%s', n.nspname, t.typname,"
              + " r.rngsubtype::regtype) from pg_range r join pg_type t on t.oid = r.rngtypid"
              + " join pg_namespace n on n.oid = t.typnamespace where "
              + USER_NS,
          "select 'statistics ' || pg_get_statisticsobjdef(s.oid) from pg_statistic_ext s"
              + " join pg_namespace n on n.oid = s.stxnamespace where "
              + USER_NS,
          // Objects created after initdb have OIDs from 16384 (FirstNormalObjectId) on.
          "select format('comment %s %s', pg_describe_object(d.classoid, d.objoid, d.objsubid),"
              + " d.description) from pg_description d where d.objoid >= 16384");

  private SchemaCatalog() {}

  /**
   * Runs every description query with {@code search_path = pg_catalog}, so names in definitions
   * come out schema-qualified whatever the caller's search path is (as pg_dump does).
   */
  static List<String> describe(Connection c) throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Statement st = c.createStatement()) {
      String oldPath;
      try (ResultSet rs = st.executeQuery("select current_setting('search_path')")) {
        rs.next();
        oldPath = rs.getString(1);
      }
      setSearchPath(c, "pg_catalog");
      try {
        for (String query : DESCRIPTION_QUERIES) {
          try (ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
              lines.add(rs.getString(1));
            }
          }
        }
      } catch (SQLException e) {
        try {
          setSearchPath(c, oldPath);
        } catch (SQLException restore) {
          // In an aborted transaction the rollback restores the path anyway.
          e.addSuppressed(restore);
        }
        throw e;
      }
      setSearchPath(c, oldPath);
    }
    Collections.sort(lines);
    return lines;
  }

  private static void setSearchPath(Connection c, String path) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select set_config('search_path', ?, false)")) {
      ps.setString(1, path);
      ps.execute();
    }
  }
}
