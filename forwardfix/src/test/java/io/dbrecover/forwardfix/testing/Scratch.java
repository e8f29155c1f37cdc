package io.dbrecover.forwardfix.testing;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.forwardfix.ScratchDatabases;
import java.util.ArrayList;
import java.util.List;

/**
 * Shadow databases on the test JVM's embedded PostgreSQL; remembers what it created and dropped.
 */
public final class Scratch implements ScratchDatabases {
  public final List<String> created = new ArrayList<>();
  public final List<String> dropped = new ArrayList<>();

  @Override
  public DbUrl create(String name) {
    TestPostgres.sql(TestPostgres.url("postgres"), "create database " + name);
    created.add(name);
    return TestPostgres.url(name);
  }

  @Override
  public void drop(DbUrl database) {
    TestPostgres.sql(
        TestPostgres.url("postgres"),
        "drop database if exists " + database.database() + " with (force)");
    dropped.add(database.database());
  }
}
