package io.dbrecover.forwardfix.internal;

import io.dbrecover.forwardfix.Change;
import io.dbrecover.forwardfix.Change.Effect;
import io.dbrecover.forwardfix.Change.Kind;
import io.dbrecover.forwardfix.Change.Risk;
import io.dbrecover.forwardfix.internal.Catalog.Column;
import io.dbrecover.forwardfix.internal.Catalog.Constraint;
import io.dbrecover.forwardfix.internal.Catalog.EnumType;
import io.dbrecover.forwardfix.internal.Catalog.Function;
import io.dbrecover.forwardfix.internal.Catalog.Index;
import io.dbrecover.forwardfix.internal.Catalog.Sequence;
import io.dbrecover.forwardfix.internal.Catalog.Table;
import io.dbrecover.forwardfix.internal.Catalog.Trigger;
import io.dbrecover.forwardfix.internal.Catalog.View;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The statements that turn one schema ({@code from}, the live database) into another ({@code to},
 * the shadow database at the target migration), ordered so each runs: triggers, dependent views and
 * foreign keys are dropped before what they depend on; types, sequences and functions are created
 * before the tables and columns that use them; views are recreated last, in dependency order.
 * Removed enum labels are handled by recreating the type; added and renamed labels by {@code ALTER
 * TYPE}.
 */
public final class SchemaDiff {
  private static final Pattern REFERENCES = Pattern.compile("REFERENCES (.+?)\\(");
  private static final String OLD_SUFFIX = "__dbrecover_old";

  // Phases, in the order they run.
  private static final int SET = 0;
  private static final int SCHEMAS = 1;
  private static final int DROP_TRIGGERS = 2;
  private static final int DROP_VIEWS = 3;
  private static final int DROP_FKS = 4;
  private static final int DROP_CONSTRAINTS = 5;
  private static final int TYPES = 6;
  private static final int SEQUENCES = 7;
  private static final int FUNCTIONS = 8;
  private static final int DROP_TABLES = 9;
  private static final int CREATE_TABLES = 10;
  private static final int COLUMNS = 11;
  private static final int SEQUENCE_OPTIONS = 12;
  private static final int ADD_CONSTRAINTS = 13;
  private static final int ADD_FKS = 14;
  private static final int TRIGGERS = 15;
  private static final int VIEWS = 16;
  private static final int DROPS = 17;
  private static final int COMMENTS = 18;

  private final Catalog from;
  private final Catalog to;
  private final List<List<Change>> phases = new ArrayList<>();

  /** Comment keys of objects this diff creates or recreates: their comments are set again. */
  private final Set<String> created = new HashSet<>();

  /** Kept tables whose columns change: views reading them are recreated. */
  private final Set<String> touchedTables = new HashSet<>();

  /** Enum types recreated because labels were removed or reordered. */
  private final Map<String, Map<String, String>> recreatedEnums = new HashMap<>();

  private SchemaDiff(Catalog from, Catalog to) {
    this.from = from;
    this.to = to;
    for (int i = 0; i <= COMMENTS; i++) {
      phases.add(new ArrayList<>());
    }
  }

  /** The statements turning {@code from} into {@code to}; empty when they are equal. */
  public static List<Change> diff(Catalog from, Catalog to) {
    return new SchemaDiff(from, to).run();
  }

  private List<Change> run() {
    schemas();
    enums();
    sequences();
    functions();
    tables();
    views();
    comments();
    if (phases.stream().flatMap(List::stream).anyMatch(c -> c.kind() == Kind.CREATE_FUNCTION)) {
      // Function bodies may name tables created later in the script, as pg_dump does.
      add(SET, Change.of(Kind.SET, "check_function_bodies", "SET check_function_bodies = false"));
    }
    return phases.stream().flatMap(List::stream).collect(Collectors.toList());
  }

  private void add(int phase, Change change) {
    phases.get(phase).add(change);
  }

  // --- schemas

  private void schemas() {
    for (String s : to.schemas()) {
      if (!from.schemas().contains(s)) {
        add(SCHEMAS, Change.of(Kind.CREATE_SCHEMA, s, "CREATE SCHEMA " + s));
        created.add("SCHEMA " + s);
      }
    }
    for (String s : from.schemas()) {
      if (!to.schemas().contains(s)) {
        add(DROPS, Change.of(Kind.DROP_SCHEMA, s, "DROP SCHEMA " + s));
      }
    }
  }

  // --- enums

  private void enums() {
    for (EnumType t : to.enums().values()) {
      EnumType old = from.enums().get(t.name());
      if (old == null) {
        add(TYPES, Change.of(Kind.CREATE_TYPE, t.name(), createEnum(t)));
        created.add("TYPE " + t.name());
      } else if (!old.labels().equals(t.labels())) {
        alterEnum(old, t);
      }
    }
    for (EnumType t : from.enums().values()) {
      if (!to.enums().containsKey(t.name())) {
        add(DROPS, Change.of(Kind.DROP_TYPE, t.name(), "DROP TYPE " + t.name()));
      }
    }
  }

  private static String createEnum(EnumType t) {
    return "CREATE TYPE "
        + t.name()
        + " AS ENUM ("
        + t.labels().stream().map(CatalogReader::literal).collect(Collectors.joining(", "))
        + ")";
  }

  private void alterEnum(EnumType old, EnumType t) {
    List<String> a = old.labels();
    List<String> b = t.labels();
    // A label that differs at the same position, with neither in the other list: a rename.
    Map<String, String> renames = new LinkedHashMap<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!b.contains(a.get(i)) && !a.contains(b.get(i))) {
        renames.put(a.get(i), b.get(i));
      }
    }
    List<String> renamed =
        a.stream().map(l -> renames.getOrDefault(l, l)).collect(Collectors.toList());
    List<String> kept = b.stream().filter(renamed::contains).collect(Collectors.toList());
    if (kept.equals(renamed)) {
      renames.forEach(
          (x, y) ->
              add(
                  TYPES,
                  Change.of(
                      Kind.ALTER_TYPE,
                      t.name(),
                      "ALTER TYPE "
                          + t.name()
                          + " RENAME VALUE "
                          + CatalogReader.literal(x)
                          + " TO "
                          + CatalogReader.literal(y))));
      // Additions: each new label goes before the next existing one, or last.
      for (int i = 0; i < b.size(); i++) {
        if (!renamed.contains(b.get(i))) {
          String position = "";
          for (int j = i + 1; j < b.size(); j++) {
            if (renamed.contains(b.get(j))) {
              position = " BEFORE " + CatalogReader.literal(b.get(j));
              break;
            }
          }
          add(
              TYPES,
              Change.of(
                  Kind.ALTER_TYPE,
                  t.name(),
                  "ALTER TYPE "
                      + t.name()
                      + " ADD VALUE "
                      + CatalogReader.literal(b.get(i))
                      + position));
        }
      }
      return;
    }
    // Labels removed or reordered: rename the old type away, create the new one, convert the
    // columns that use it (phase COLUMNS, renamed labels mapped), drop the old one.
    String old2 = Names.name(t.name()) + OLD_SUFFIX;
    add(
        TYPES,
        Change.of(
            Kind.ALTER_TYPE, t.name(), "ALTER TYPE " + t.name() + " RENAME TO " + quote(old2)));
    add(TYPES, Change.of(Kind.CREATE_TYPE, t.name(), createEnum(t)));
    created.add("TYPE " + t.name());
    add(
        DROPS,
        Change.of(
            Kind.DROP_TYPE, t.name(), "DROP TYPE " + Names.schema(t.name()) + "." + quote(old2)));
    recreatedEnums.put(t.name(), renames);
  }

  // --- sequences

  private void sequences() {
    for (Sequence s : to.sequences().values()) {
      Sequence old = from.sequences().get(s.name());
      if (old == null) {
        add(
            SEQUENCES,
            Change.of(Kind.CREATE_SEQUENCE, s.name(), "CREATE SEQUENCE " + s.name() + options(s)));
        created.add("SEQUENCE " + s.name());
        if (s.ownedBy() != null) {
          add(SEQUENCE_OPTIONS, ownedBy(s));
          String table = s.ownedBy().substring(0, s.ownedBy().lastIndexOf('.'));
          if (from.tables().containsKey(table)) {
            add(SEQUENCE_OPTIONS, continueAfterExisting(s, table));
          }
        }
      } else {
        Sequence sameOwner =
            new Sequence(
                s.name(),
                s.type(),
                s.start(),
                s.increment(),
                s.min(),
                s.max(),
                s.cache(),
                s.cycle(),
                old.ownedBy());
        if (!sameOwner.equals(old)) {
          add(
              SEQUENCE_OPTIONS,
              Change.of(Kind.ALTER_SEQUENCE, s.name(), "ALTER SEQUENCE " + s.name() + options(s)));
        }
        if (!Objects.equals(s.ownedBy(), old.ownedBy())) {
          add(SEQUENCE_OPTIONS, ownedBy(s));
        }
      }
    }
    for (Sequence s : from.sequences().values()) {
      if (!to.sequences().containsKey(s.name())) {
        // IF EXISTS: a serial column's sequence goes with its table or column.
        add(DROPS, Change.of(Kind.DROP_SEQUENCE, s.name(), "DROP SEQUENCE IF EXISTS " + s.name()));
      }
    }
  }

  private static String options(Sequence s) {
    return " AS "
        + s.type()
        + " INCREMENT BY "
        + s.increment()
        + " MINVALUE "
        + s.min()
        + " MAXVALUE "
        + s.max()
        + " START WITH "
        + s.start()
        + " CACHE "
        + s.cache()
        + (s.cycle() ? " CYCLE" : " NO CYCLE");
  }

  /** A sequence made again for existing rows continues after their highest value. */
  private static Change continueAfterExisting(Sequence s, String table) {
    String column = s.ownedBy().substring(s.ownedBy().lastIndexOf('.') + 1);
    String seq = CatalogReader.literal(s.name());
    return Change.of(
        Kind.ALTER_SEQUENCE,
        s.name(),
        "SELECT CASE WHEN m IS NULL OR m < "
            + s.start()
            + " THEN setval("
            + seq
            + ", "
            + s.start()
            + ", false) ELSE setval("
            + seq
            + ", m, true) END FROM (SELECT max("
            + column
            + ") AS m FROM "
            + table
            + ") AS existing");
  }

  private static Change ownedBy(Sequence s) {
    return Change.of(
        Kind.ALTER_SEQUENCE,
        s.name(),
        "ALTER SEQUENCE " + s.name() + " OWNED BY " + (s.ownedBy() == null ? "NONE" : s.ownedBy()));
  }

  // --- functions

  private void functions() {
    for (Function f : to.functions().values()) {
      Function old = from.functions().get(f.signature());
      if (old != null && old.definition().equals(f.definition())) {
        continue;
      }
      if (old != null && !old.result().equals(f.result())) {
        add(FUNCTIONS, dropFunction(old));
      }
      add(
          f.sqlBody() ? SEQUENCE_OPTIONS : FUNCTIONS,
          Change.of(Kind.CREATE_FUNCTION, f.signature(), f.definition()));
      created.add(functionKey(f));
    }
    for (Function f : from.functions().values()) {
      if (!to.functions().containsKey(f.signature())) {
        add(DROPS, dropFunction(f));
      }
    }
  }

  private static boolean procedure(Function f) {
    return f.definition().startsWith("CREATE OR REPLACE PROCEDURE");
  }

  private static String functionKey(Function f) {
    return (procedure(f) ? "PROCEDURE " : "FUNCTION ") + f.signature();
  }

  private static Change dropFunction(Function f) {
    return Change.of(Kind.DROP_FUNCTION, f.signature(), "DROP " + functionKey(f));
  }

  // --- tables

  private void tables() {
    Set<String> dropped = new TreeSet<>(from.tables().keySet());
    dropped.removeAll(to.tables().keySet());
    Set<String> keyChanged = new HashSet<>(dropped);
    for (Table t : from.tables().values()) {
      Table target = to.tables().get(t.name());
      if (target != null && keysChanged(t, target)) {
        keyChanged.add(t.name());
      }
    }
    Set<String> droppedFks = new HashSet<>();
    for (Table t : from.tables().values()) {
      Table target = to.tables().get(t.name());
      for (Constraint k : t.constraints().values()) {
        if (!k.foreignKey()) {
          continue;
        }
        String referenced = referenced(k);
        boolean ownDropped = target == null;
        boolean refDropped = dropped.contains(referenced) && !referenced.equals(t.name());
        Constraint wanted = ownDropped ? null : target.constraints().get(k.name());
        if (ownDropped
            ? refDropped
            : (wanted == null || !wanted.equals(k) || keyChanged.contains(referenced))) {
          add(DROP_FKS, dropConstraint(t.name(), k));
          droppedFks.add(t.name() + " " + k.name());
        }
      }
    }
    for (String name : dropped) {
      add(
          DROP_TABLES,
          new Change(
              Kind.DROP_TABLE,
              name,
              "DROP TABLE " + name,
              new Risk(Effect.DESTROYS, "rows of " + name, "SELECT count(*) FROM " + name)));
    }
    for (Table t : to.tables().values()) {
      Table old = from.tables().get(t.name());
      if (old == null) {
        createTable(t);
      } else {
        alterTable(old, t, droppedFks);
      }
    }
  }

  private static String referenced(Constraint fk) {
    Matcher m = REFERENCES.matcher(fk.definition());
    return m.find() ? m.group(1) : "";
  }

  /** Whether a primary key, unique constraint or index a foreign key may reference changes. */
  private static boolean keysChanged(Table a, Table b) {
    for (Constraint k : a.constraints().values()) {
      if ((k.type().equals("p") || k.type().equals("u"))
          && !k.equals(b.constraints().get(k.name()))) {
        return true;
      }
    }
    for (Index i : a.indexes().values()) {
      if (i.definition().startsWith("CREATE UNIQUE") && !i.equals(b.indexes().get(i.name()))) {
        return true;
      }
    }
    return false;
  }

  private static Change dropConstraint(String table, Constraint k) {
    return Change.of(
        Kind.DROP_CONSTRAINT,
        table + "." + k.name(),
        "ALTER TABLE " + table + " DROP CONSTRAINT " + k.name());
  }

  private void addConstraint(String table, Constraint k) {
    Risk risk = null;
    if (!from.tables().containsKey(table)) {
      risk = null;
    } else if (k.type().equals("c") && k.definition().startsWith("CHECK ")) {
      String expr = k.definition().substring("CHECK ".length()).replace(" NOT VALID", "");
      risk =
          new Risk(
              Effect.FAILS,
              "rows of " + table + " violating " + k.name(),
              "SELECT count(*) FROM " + table + " WHERE NOT coalesce(" + expr + ", true)");
    }
    add(
        k.foreignKey() ? ADD_FKS : ADD_CONSTRAINTS,
        new Change(
            Kind.ADD_CONSTRAINT,
            table + "." + k.name(),
            "ALTER TABLE " + table + " ADD CONSTRAINT " + k.name() + " " + k.definition(),
            risk));
    created.add("CONSTRAINT " + k.name() + " ON " + table);
  }

  private void createTable(Table t) {
    String cols =
        t.columns().values().stream()
            .map(c -> "\n  " + columnDefinition(c))
            .collect(Collectors.joining(","));
    add(
        CREATE_TABLES,
        Change.of(Kind.CREATE_TABLE, t.name(), "CREATE TABLE " + t.name() + " (" + cols + "\n)"));
    created.add("TABLE " + t.name());
    t.columns().keySet().forEach(c -> created.add("COLUMN " + t.name() + "." + c));
    t.constraints().values().forEach(k -> addConstraint(t.name(), k));
    t.indexes().values().forEach(this::createIndex);
    t.triggers().values().forEach(g -> createTrigger(t.name(), g));
  }

  private static String columnDefinition(Column c) {
    StringBuilder sb = new StringBuilder(c.name()).append(' ').append(c.type());
    if (c.collation() != null) {
      sb.append(" COLLATE ").append(c.collation());
    }
    if (c.generated() != null) {
      sb.append(" GENERATED ALWAYS AS (").append(c.generated()).append(") STORED");
    } else if (!c.identity().isEmpty()) {
      sb.append(identityClause(c));
    } else if (c.defaultExpr() != null) {
      sb.append(" DEFAULT ").append(c.defaultExpr());
    }
    if (c.notNull()) {
      sb.append(" NOT NULL");
    }
    return sb.toString();
  }

  private static String identityClause(Column c) {
    return c.identity().equals("a")
        ? " GENERATED ALWAYS AS IDENTITY"
        : " GENERATED BY DEFAULT AS IDENTITY";
  }

  private void createIndex(Index i) {
    add(ADD_CONSTRAINTS, Change.of(Kind.CREATE_INDEX, i.name(), i.definition()));
    created.add("INDEX " + i.name());
  }

  private void createTrigger(String table, Trigger g) {
    add(TRIGGERS, Change.of(Kind.CREATE_TRIGGER, table + "." + g.name(), g.definition()));
    created.add("TRIGGER " + g.name() + " ON " + table);
  }

  private void alterTable(Table old, Table t, Set<String> droppedFks) {
    String name = t.name();
    for (Trigger g : old.triggers().values()) {
      if (!g.equals(t.triggers().get(g.name()))) {
        add(
            DROP_TRIGGERS,
            Change.of(
                Kind.DROP_TRIGGER,
                name + "." + g.name(),
                "DROP TRIGGER " + g.name() + " ON " + name));
      }
    }
    for (Trigger g : t.triggers().values()) {
      if (!g.equals(old.triggers().get(g.name()))) {
        createTrigger(name, g);
      }
    }
    for (Constraint k : old.constraints().values()) {
      if (!k.foreignKey() && !k.equals(t.constraints().get(k.name()))) {
        add(DROP_CONSTRAINTS, dropConstraint(name, k));
      }
    }
    for (Constraint k : t.constraints().values()) {
      if (!k.equals(old.constraints().get(k.name()))
          || droppedFks.contains(name + " " + k.name())) {
        addConstraint(name, k);
      }
    }
    for (Index i : old.indexes().values()) {
      if (!i.equals(t.indexes().get(i.name()))) {
        add(DROP_CONSTRAINTS, Change.of(Kind.DROP_INDEX, i.name(), "DROP INDEX " + i.name()));
      }
    }
    for (Index i : t.indexes().values()) {
      if (!i.equals(old.indexes().get(i.name()))) {
        createIndex(i);
      }
    }
    for (Column c : t.columns().values()) {
      Column was = old.columns().get(c.name());
      if (was == null) {
        addColumn(name, c);
      } else if (!Objects.equals(was.generated(), c.generated())) {
        dropColumn(name, was);
        addColumn(name, c);
      } else {
        alterColumn(name, was, c);
      }
    }
    for (Column c : old.columns().values()) {
      if (!t.columns().containsKey(c.name())) {
        dropColumn(name, c);
      }
    }
  }

  private void addColumn(String table, Column c) {
    touchedTables.add(table);
    Risk risk = null;
    if (c.notNull() && c.defaultExpr() == null && c.identity().isEmpty() && c.generated() == null) {
      risk =
          new Risk(
              Effect.FAILS,
              "rows of " + table + " without a value for the NOT NULL column " + c.name(),
              "SELECT count(*) FROM " + table);
    }
    add(
        COLUMNS,
        new Change(
            Kind.ADD_COLUMN,
            table + "." + c.name(),
            "ALTER TABLE " + table + " ADD COLUMN " + columnDefinition(c),
            risk));
    created.add("COLUMN " + table + "." + c.name());
  }

  private void dropColumn(String table, Column c) {
    touchedTables.add(table);
    Risk risk =
        c.generated() != null
            ? null
            : new Risk(
                Effect.DESTROYS,
                "non-null values of " + table + "." + c.name(),
                "SELECT count(*) FROM " + table + " WHERE " + c.name() + " IS NOT NULL");
    add(
        COLUMNS,
        new Change(
            Kind.DROP_COLUMN,
            table + "." + c.name(),
            "ALTER TABLE " + table + " DROP COLUMN " + c.name(),
            risk));
  }

  private void alterColumn(String table, Column was, Column c) {
    String prefix = "ALTER TABLE " + table + " ALTER COLUMN " + c.name();
    String object = table + "." + c.name();
    boolean enumRecreated =
        recreatedEnums.containsKey(baseType(c.type())) && c.type().equals(was.type());
    boolean typeChanges =
        enumRecreated
            || !c.type().equals(was.type())
            || !Objects.equals(c.collation(), was.collation());
    if (was.equals(c) && !typeChanges) {
      return;
    }
    touchedTables.add(table);
    String defaultNow = was.defaultExpr();
    if (defaultNow != null && (typeChanges || !c.identity().isEmpty())) {
      add(COLUMNS, Change.of(Kind.ALTER_COLUMN, object, prefix + " DROP DEFAULT"));
      defaultNow = null;
    }
    if (!was.identity().isEmpty() && c.identity().isEmpty()) {
      // Early: the identity's sequence goes with it, and a serial sequence created later may
      // take the same name.
      add(DROP_CONSTRAINTS, Change.of(Kind.ALTER_COLUMN, object, prefix + " DROP IDENTITY"));
    }
    if (typeChanges) {
      String using = enumRecreated ? c.name() + "::text::" + c.type() : c.name() + "::" + c.type();
      Risk risk;
      if (enumRecreated) {
        Map<String, String> renames = recreatedEnums.get(baseType(c.type()));
        List<String> removed = new ArrayList<>(from.enums().get(baseType(c.type())).labels());
        removed.removeAll(to.enums().get(baseType(c.type())).labels());
        removed.removeAll(renames.keySet());
        risk =
            c.type().endsWith("[]") || removed.isEmpty()
                ? null
                : new Risk(
                    Effect.FAILS,
                    "values of " + object + " removed from " + baseType(c.type()),
                    "SELECT count(*) FROM "
                        + table
                        + " WHERE "
                        + c.name()
                        + "::text IN ("
                        + removed.stream()
                            .map(CatalogReader::literal)
                            .collect(Collectors.joining(", "))
                        + ")");
      } else {
        risk =
            new Risk(
                Effect.DESTROYS,
                "values of " + object + " changed by the conversion to " + c.type(),
                "SELECT count(*) FROM "
                    + table
                    + " WHERE "
                    + c.name()
                    + " IS NOT NULL AND "
                    + c.name()
                    + "::text IS DISTINCT FROM ("
                    + c.name()
                    + "::"
                    + c.type()
                    + ")::text");
      }
      add(
          COLUMNS,
          new Change(
              Kind.ALTER_COLUMN,
              object,
              prefix
                  + " TYPE "
                  + c.type()
                  + (c.collation() != null ? " COLLATE " + c.collation() : "")
                  + " USING "
                  + using,
              risk));
    }
    if (!c.identity().isEmpty() && was.identity().isEmpty()) {
      if (!was.notNull()) {
        add(COLUMNS, setNotNull(table, c));
      }
      add(COLUMNS, Change.of(Kind.ALTER_COLUMN, object, prefix + " ADD" + identityClause(c)));
      // The new identity sequence starts at 1; continue after the values already there.
      add(
          COLUMNS,
          Change.of(
              Kind.ALTER_SEQUENCE,
              object,
              "SELECT setval(pg_get_serial_sequence("
                  + CatalogReader.literal(table)
                  + ", "
                  + CatalogReader.literal(c.name())
                  + "), coalesce(max("
                  + c.name()
                  + "), 0) + 1, false) FROM "
                  + table));
    } else if (!c.identity().isEmpty() && !c.identity().equals(was.identity())) {
      add(
          COLUMNS,
          Change.of(
              Kind.ALTER_COLUMN,
              object,
              prefix + " SET GENERATED " + (c.identity().equals("a") ? "ALWAYS" : "BY DEFAULT")));
    }
    if (c.defaultExpr() != null && !c.defaultExpr().equals(defaultNow)) {
      add(
          COLUMNS,
          Change.of(Kind.ALTER_COLUMN, object, prefix + " SET DEFAULT " + c.defaultExpr()));
    } else if (c.defaultExpr() == null && defaultNow != null) {
      add(COLUMNS, Change.of(Kind.ALTER_COLUMN, object, prefix + " DROP DEFAULT"));
    }
    boolean notNullNow = was.notNull() || (!c.identity().isEmpty() && was.identity().isEmpty());
    if (c.notNull() && !notNullNow) {
      add(COLUMNS, setNotNull(table, c));
    } else if (!c.notNull() && was.notNull()) {
      add(COLUMNS, Change.of(Kind.ALTER_COLUMN, object, prefix + " DROP NOT NULL"));
    }
  }

  /** Converts through text, mapping renamed labels; arrays of the enum are converted as text. */
  private String enumUsing(Column c) {
    Map<String, String> renames = recreatedEnums.get(baseType(c.type()));
    if (renames.isEmpty() || c.type().endsWith("[]")) {
      return c.name() + "::text::" + c.type();
    }
    StringBuilder sb = new StringBuilder("(CASE ").append(c.name()).append("::text");
    renames.forEach(
        (x, y) ->
            sb.append(" WHEN ")
                .append(CatalogReader.literal(x))
                .append(" THEN ")
                .append(CatalogReader.literal(y)));
    return sb.append(" ELSE ").append(c.name()).append("::text END)::").append(c.type()).toString();
  }

  private static Change setNotNull(String table, Column c) {
    return new Change(
        Kind.ALTER_COLUMN,
        table + "." + c.name(),
        "ALTER TABLE " + table + " ALTER COLUMN " + c.name() + " SET NOT NULL",
        new Risk(
            Effect.FAILS,
            "rows of " + table + " with NULL in " + c.name(),
            "SELECT count(*) FROM " + table + " WHERE " + c.name() + " IS NULL"));
  }

  private static String baseType(String type) {
    return type.endsWith("[]") ? type.substring(0, type.length() - 2) : type;
  }

  // --- views

  private void views() {
    Set<String> drop = new LinkedHashSet<>();
    for (View v : from.views().values()) {
      View target = to.views().get(v.name());
      if (target == null
          || target.materialized() != v.materialized()
          || !target.definition().equals(v.definition())) {
        drop.add(v.name());
      }
    }
    Set<String> changedRelations = new HashSet<>(touchedTables);
    for (String t : from.tables().keySet()) {
      if (!to.tables().containsKey(t)) {
        changedRelations.add(t);
      }
    }
    boolean grew = true;
    while (grew) {
      grew = false;
      for (View v : from.views().values()) {
        if (!drop.contains(v.name())
            && v.dependsOn().stream()
                .anyMatch(d -> drop.contains(d) || changedRelations.contains(d))) {
          drop.add(v.name());
          grew = true;
        }
      }
    }
    // Dependents first.
    Set<String> remaining = new LinkedHashSet<>(drop);
    while (!remaining.isEmpty()) {
      for (String name : List.copyOf(remaining)) {
        boolean needed =
            remaining.stream()
                .anyMatch(o -> !o.equals(name) && from.views().get(o).dependsOn().contains(name));
        if (!needed) {
          View v = from.views().get(name);
          add(
              DROP_VIEWS,
              Change.of(
                  Kind.DROP_VIEW,
                  name,
                  "DROP " + (v.materialized() ? "MATERIALIZED VIEW " : "VIEW ") + name));
          remaining.remove(name);
        }
      }
    }
    Set<String> create = new LinkedHashSet<>();
    for (View v : to.views().values()) {
      if (drop.contains(v.name()) || !from.views().containsKey(v.name())) {
        create.add(v.name());
      } else {
        View old = from.views().get(v.name());
        for (Index i : old.indexes().values()) {
          if (!i.equals(v.indexes().get(i.name()))) {
            add(DROP_CONSTRAINTS, Change.of(Kind.DROP_INDEX, i.name(), "DROP INDEX " + i.name()));
          }
        }
        for (Index i : v.indexes().values()) {
          if (!i.equals(old.indexes().get(i.name()))) {
            add(VIEWS, Change.of(Kind.CREATE_INDEX, i.name(), i.definition()));
            created.add("INDEX " + i.name());
          }
        }
      }
    }
    // Dependencies first.
    Set<String> done = new HashSet<>();
    while (!create.isEmpty()) {
      boolean progress = false;
      for (String name : List.copyOf(create)) {
        View v = to.views().get(name);
        if (v.dependsOn().stream().noneMatch(d -> create.contains(d) && !d.equals(name))) {
          createView(v);
          create.remove(name);
          done.add(name);
          progress = true;
        }
      }
      if (!progress) {
        throw new IllegalStateException("circular view dependencies among " + create);
      }
    }
  }

  private void createView(View v) {
    String body = v.definition().strip();
    if (body.endsWith(";")) {
      body = body.substring(0, body.length() - 1);
    }
    String kind = v.materialized() ? "MATERIALIZED VIEW " : "VIEW ";
    add(VIEWS, Change.of(Kind.CREATE_VIEW, v.name(), "CREATE " + kind + v.name() + " AS\n" + body));
    created.add(kind + v.name());
    for (Index i : v.indexes().values()) {
      add(VIEWS, Change.of(Kind.CREATE_INDEX, i.name(), i.definition()));
      created.add("INDEX " + i.name());
    }
  }

  // --- comments

  private void comments() {
    for (Map.Entry<String, String> e : to.comments().entrySet()) {
      String key = e.getKey();
      String text = e.getValue();
      boolean differs =
          created.contains(key) ? text != null : !Objects.equals(text, from.comments().get(key));
      if (differs) {
        add(
            COMMENTS,
            Change.of(
                Kind.COMMENT,
                key,
                "COMMENT ON "
                    + key
                    + " IS "
                    + (text == null ? "NULL" : CatalogReader.literal(text))));
      }
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
