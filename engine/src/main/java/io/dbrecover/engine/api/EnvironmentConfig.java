package io.dbrecover.engine.api;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One environment of {@code dbrecover.yaml}: which database, where backups go, where DATABASE_URL
 * lives, and what recovery may do there. Validated at construction.
 *
 * <p>{@code backupStore} is the local backup directory; when backups go to a remote store ({@code
 * remoteStore}, e.g. {@code s3://bucket/prefix}) it is the local staging directory that dumps are
 * made in and downloads are checked in. {@code remoteStore} is null for a directory store.
 */
public record EnvironmentConfig(
    String name,
    Tier tier,
    ProtectionLevel protection,
    Database database,
    Path backupStore,
    UrlTarget urlTarget,
    Migrations migrations,
    Set<Method> allowedMethods,
    Retention retention,
    List<SmokeQuery> smokeQueries,
    int jobs,
    RemoteStore remoteStore) {

  public EnvironmentConfig {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new ConfigurationException(
          "environment name '" + name + "' may only contain letters, digits, '.', '_' and '-'");
    }
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(protection, "protection");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(backupStore, "backupStore");
    Objects.requireNonNull(migrations, "migrations");
    allowedMethods = Set.copyOf(allowedMethods);
    Objects.requireNonNull(retention, "retention");
    smokeQueries = List.copyOf(smokeQueries);
    if (jobs < 1) {
      throw new ConfigurationException("environment '" + name + "': jobs must be at least 1");
    }
  }

  /** An environment whose backups stay in the directory {@code backupStore}. */
  public EnvironmentConfig(
      String name,
      Tier tier,
      ProtectionLevel protection,
      Database database,
      Path backupStore,
      UrlTarget urlTarget,
      Migrations migrations,
      Set<Method> allowedMethods,
      Retention retention,
      List<SmokeQuery> smokeQueries,
      int jobs) {
    this(
        name,
        tier,
        protection,
        database,
        backupStore,
        urlTarget,
        migrations,
        allowedMethods,
        retention,
        smokeQueries,
        jobs,
        null);
  }

  /**
   * A remote backup store such as {@code s3://bucket/prefix}: the store's scheme picks the {@link
   * io.dbrecover.engine.spi.BackupStorage.Factory} that opens it; {@code options} are that
   * factory's (e.g. {@code part-size}, {@code region}).
   */
  public record RemoteStore(URI url, Map<String, String> options) {
    public RemoteStore {
      Objects.requireNonNull(url, "url");
      options = Map.copyOf(options);
      if (url.getScheme() == null || url.getHost() == null || url.isOpaque()) {
        throw new ConfigurationException(
            "backup-store '" + url + "' needs the form scheme://bucket/prefix");
      }
      // The URL is printed in messages and journals; credentials belong in the provider's chain.
      if (url.getRawUserInfo() != null
          || url.getRawQuery() != null
          || url.getRawFragment() != null) {
        throw new ConfigurationException(
            "backup-store URL must be scheme://bucket/prefix without user, query or fragment;"
                + " credentials come from the provider's standard chain");
      }
    }

    /** The scheme, e.g. {@code s3}. */
    public String scheme() {
      return url.getScheme();
    }

    /** The bucket (the URL's host). */
    public String bucket() {
      return url.getHost();
    }

    /** The key prefix without leading or trailing slashes; empty for the bucket's root. */
    public String prefix() {
      String path = url.getPath() == null ? "" : url.getPath();
      return path.replaceAll("^/+", "").replaceAll("/+$", "");
    }

    /** The URL without a trailing slash, for messages. */
    @Override
    public String toString() {
      return scheme() + "://" + bucket() + (prefix().isEmpty() ? "" : "/" + prefix());
    }
  }

  /** The database and the provider that manages it. */
  public record Database(
      String provider, String url, boolean embedded, Map<String, String> options) {
    public Database {
      Objects.requireNonNull(provider, "provider");
      options = Map.copyOf(options);
      if (!embedded && (url == null || url.isBlank()) && options.isEmpty()) {
        throw new ConfigurationException(
            "database needs a url (or embedded: true, or provider options)");
      }
    }
  }

  /**
   * Where the application reads DATABASE_URL from: {@code dotenv} file and key, or a secret store.
   */
  public record UrlTarget(String type, String location, String key) {
    public UrlTarget {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(location, "location");
      key = key == null || key.isBlank() ? "DATABASE_URL" : key;
    }
  }

  /** The migration tool and its migrations directory. */
  public record Migrations(MigrationTool tool, Path directory) {}

  /** How long backups are kept; safety backups taken by a run have their own, longer default. */
  public record Retention(int keepLast, Duration maxAge, Duration safetyMaxAge) {
    public static final Retention DEFAULT =
        new Retention(10, Duration.ofDays(30), Duration.ofDays(90));

    public Retention {
      if (keepLast < 1) {
        throw new ConfigurationException("retention.keep-last must be at least 1");
      }
      Objects.requireNonNull(maxAge, "maxAge");
      Objects.requireNonNull(safetyMaxAge, "safetyMaxAge");
    }
  }

  /**
   * A query run against the restored and the live database. With {@code expect}, the first column
   * of the first row must equal it; without, the query must succeed and return at least one row.
   */
  public record SmokeQuery(String name, String sql, String expect) {
    public SmokeQuery {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sql, "sql");
    }
  }
}
