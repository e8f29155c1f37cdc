package io.dbrecover.engine.api;

import io.dbrecover.engine.internal.YamlConfigParser;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code dbrecover.yaml}, or builds the built-in {@code embedded} configuration used when
 * there is no file.
 *
 * <p>Every problem with a file is a {@link ConfigurationException} whose message starts with {@code
 * <file>:<line>: <key path>:}, e.g. {@code dbrecover.yaml:7: environments.production.protection:
 * 'stric' is not one of none, confirm, strict}.
 */
public final class ConfigLoader {
  /** The name of the environment of {@link #embeddedDefault(Path)}. */
  public static final String EMBEDDED_ENVIRONMENT = "embedded";

  private ConfigLoader() {}

  /**
   * Parses a configuration file.
   *
   * @param file the YAML file; relative paths inside it resolve against its directory
   * @param env the variables {@code ${VAR}} and {@code ${VAR:-default}} are interpolated from
   */
  public static DbRecoverConfig load(Path file, Map<String, String> env) {
    return YamlConfigParser.parse(file, env);
  }

  /**
   * The configuration without a file: one development environment named {@code embedded}, backed by
   * an embedded PostgreSQL, backups in {@code <stateDir>/backups}, DATABASE_URL in {@code
   * <stateDir>/embedded.env}, every method allowed.
   */
  public static DbRecoverConfig embeddedDefault(Path stateDir) {
    Path dir = stateDir.toAbsolutePath().normalize();
    EnvironmentConfig env =
        new EnvironmentConfig(
            EMBEDDED_ENVIRONMENT,
            Tier.DEVELOPMENT,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database("postgres", null, true, Map.of()),
            dir.resolve("backups"),
            new EnvironmentConfig.UrlTarget(
                "dotenv", dir.resolve("embedded.env").toString(), "DATABASE_URL"),
            new EnvironmentConfig.Migrations(MigrationTool.SQL, null),
            EnumSet.allOf(Method.class),
            EnvironmentConfig.Retention.DEFAULT,
            List.of(),
            defaultJobs());
    return new DbRecoverConfig(Optional.empty(), dir, Map.of(EMBEDDED_ENVIRONMENT, env));
  }

  /** Parallel jobs for pg_dump / pg_restore when not configured: the CPU count, at most 4. */
  public static int defaultJobs() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }
}
