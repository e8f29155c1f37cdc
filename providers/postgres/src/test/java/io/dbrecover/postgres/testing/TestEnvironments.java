package io.dbrecover.postgres.testing;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.Tier;
import io.dbrecover.engine.spi.ProviderContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Environment configs and provider contexts for tests of the postgres provider. */
public final class TestEnvironments {
  private TestEnvironments() {}

  /** A development environment on {@code url} with backups in {@code backupStore}, 2 jobs. */
  public static EnvironmentConfig environment(DbUrl url, Path backupStore) {
    return environment(
        "test",
        new EnvironmentConfig.Database("postgres", url.toSecretUri().reveal(), false, Map.of()),
        backupStore);
  }

  /**
   * An environment {@code name} on the embedded cluster dbrecover manages under its state
   * directory, database {@code database}, backups in {@code backupStore}, 2 jobs.
   */
  public static EnvironmentConfig embedded(String name, String database, Path backupStore) {
    return environment(
        name,
        new EnvironmentConfig.Database("postgres", null, true, Map.of("database", database)),
        backupStore);
  }

  private static EnvironmentConfig environment(
      String name, EnvironmentConfig.Database database, Path backupStore) {
    return new EnvironmentConfig(
        name,
        Tier.DEVELOPMENT,
        ProtectionLevel.NONE,
        database,
        backupStore,
        null,
        new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
        Set.of(),
        EnvironmentConfig.Retention.DEFAULT,
        List.of(),
        2);
  }

  /**
   * A new temporary directory others may enter (not {@code @TempDir}'s 0700): under root the
   * embedded and restored servers run as another user, which must reach what is below it.
   */
  public static Path openTempDir(String prefix) throws IOException {
    return Files.createTempDirectory(
        prefix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  /** A context whose live database is {@code url}. */
  public static ProviderContext context(DbUrl url, Path backupStore, Path stateDir, Clock clock) {
    return new ProviderContext(environment(url, backupStore), url, stateDir, clock, null);
  }
}
