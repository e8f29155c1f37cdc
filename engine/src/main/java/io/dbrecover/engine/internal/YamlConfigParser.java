package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.ConfigLoader;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.api.Tier;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parses {@code dbrecover.yaml} from a SnakeYAML node tree, so every error can name its line. The
 * format is documented on {@link ConfigLoader}.
 */
public final class YamlConfigParser {
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)([smhdw])");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private static final List<String> TOP_KEYS = List.of("state-dir", "state-store", "environments");
  private static final List<String> STATE_STORE_KEYS = List.of("type", "options");
  private static final List<String> ENV_KEYS =
      List.of(
          "tier",
          "protection",
          "database",
          "backup-store",
          "url-target",
          "migrations",
          "allowed-methods",
          "retention",
          "verify",
          "jobs");
  private static final List<String> DATABASE_KEYS =
      List.of("provider", "url", "embedded", "options");
  private static final List<String> URL_TARGET_KEYS = List.of("type", "path", "location", "key");
  private static final List<String> MIGRATIONS_KEYS = List.of("tool", "dir");
  private static final List<String> RETENTION_KEYS =
      List.of("keep-last", "max-age", "safety-max-age");
  private static final List<String> BACKUP_STORE_KEYS = List.of("url", "options");
  private static final List<String> REMOTE_SCHEMES = List.of("s3");
  private static final List<String> VERIFY_KEYS = List.of("smoke-queries");
  private static final List<String> SMOKE_KEYS = List.of("name", "sql", "expect");

  private final String fileName;
  private final Path baseDir;
  private final Map<String, String> env;

  private YamlConfigParser(Path file, Map<String, String> env) {
    this.fileName = file.toString();
    this.baseDir = file.toAbsolutePath().normalize().getParent();
    this.env = Map.copyOf(env);
  }

  /** Parses the file; see {@link ConfigLoader#load}. */
  public static DbRecoverConfig parse(Path file, Map<String, String> env) {
    return new YamlConfigParser(file, env).parse(file);
  }

  private DbRecoverConfig parse(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigurationException(
          fileName
              + ": file not found; create it or run without --config for the embedded default");
    } catch (IOException e) {
      throw new ConfigurationException(fileName + ": cannot read: " + e.getMessage(), e);
    }
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 1;
      throw new ConfigurationException(
          fileName + ":" + line + ": invalid YAML: " + e.getProblem(), e);
    } catch (YAMLException e) {
      throw new ConfigurationException(fileName + ": invalid YAML: " + e.getMessage(), e);
    }
    if (root == null) {
      throw new ConfigurationException(
          fileName + ":1: the file is empty; expected a mapping with 'environments'");
    }
    Map<String, NodeTuple> top = entries(root, "", TOP_KEYS);
    Path stateDir =
        optional(top, "state-dir")
            .map(n -> path(n, "state-dir"))
            .orElse(baseDir.resolve(".dbrecover"));
    Node envsNode = required(top, root, "", "environments");
    Map<String, NodeTuple> envs = entries(envsNode, "environments", null);
    if (envs.isEmpty()) {
      throw error(envsNode, "environments", "at least one environment is required");
    }
    Map<String, EnvironmentConfig> environments = new LinkedHashMap<>();
    for (Map.Entry<String, NodeTuple> e : envs.entrySet()) {
      String path = "environments." + e.getKey();
      if (!ENV_NAME.matcher(e.getKey()).matches()) {
        throw error(
            e.getValue().getKeyNode(),
            path,
            "environment names may only contain letters, digits, '.', '_' and '-'");
      }
      environments.put(
          e.getKey(), environment(e.getKey(), e.getValue().getValueNode(), path, stateDir));
    }
    StateStoreConfig stateStore =
        optional(top, "state-store")
            .map(n -> stateStore(n, "state-store"))
            .orElse(StateStoreConfig.FILES);
    return new DbRecoverConfig(Optional.of(file), stateDir, environments, stateStore);
  }

  private StateStoreConfig stateStore(Node node, String path) {
    Map<String, NodeTuple> m = entries(node, path, STATE_STORE_KEYS);
    String type = nonEmpty(required(m, node, path, "type"), path + ".type");
    Map<String, String> options =
        optional(m, "options").map(n -> stringMap(n, path + ".options")).orElse(Map.of());
    return new StateStoreConfig(type, options);
  }

  private EnvironmentConfig environment(String name, Node node, String path, Path stateDir) {
    Map<String, NodeTuple> m = entries(node, path, ENV_KEYS);
    Tier tier =
        optional(m, "tier")
            .map(n -> choice(n, path + ".tier", Tier.values()))
            .orElse(Tier.PRODUCTION);
    ProtectionLevel protection =
        optional(m, "protection")
            .map(n -> choice(n, path + ".protection", ProtectionLevel.values()))
            .orElse(defaultProtection(tier));
    EnvironmentConfig.Database database =
        database(required(m, node, path, "database"), path + ".database");
    Optional<Node> storeNode = optional(m, "backup-store");
    EnvironmentConfig.RemoteStore remoteStore =
        storeNode.map(n -> remoteStore(n, path + ".backup-store")).orElse(null);
    // A remote store's dumps are made, and its downloads checked, in a staging directory.
    Path backupStore =
        remoteStore != null
            ? stateDir.resolve("staging").resolve(name)
            : storeNode
                .map(n -> backupStore(n, path + ".backup-store"))
                .orElse(stateDir.resolve("backups"));
    EnvironmentConfig.UrlTarget urlTarget =
        optional(m, "url-target").map(n -> urlTarget(n, path + ".url-target")).orElse(null);
    EnvironmentConfig.Migrations migrations =
        optional(m, "migrations")
            .map(n -> migrations(n, path + ".migrations"))
            .orElse(new EnvironmentConfig.Migrations(MigrationTool.SQL, null));
    Set<Method> allowed =
        optional(m, "allowed-methods")
            .map(n -> methods(n, path + ".allowed-methods"))
            .orElse(defaultMethods(tier));
    EnvironmentConfig.Retention retention =
        optional(m, "retention")
            .map(n -> retention(n, path + ".retention"))
            .orElse(EnvironmentConfig.Retention.DEFAULT);
    List<EnvironmentConfig.SmokeQuery> smoke =
        optional(m, "verify").map(n -> verify(n, path + ".verify")).orElse(List.of());
    int jobs =
        optional(m, "jobs")
            .map(n -> positiveInt(n, path + ".jobs"))
            .orElse(ConfigLoader.defaultJobs());
    return new EnvironmentConfig(
        name,
        tier,
        protection,
        database,
        backupStore,
        urlTarget,
        migrations,
        allowed,
        retention,
        smoke,
        jobs,
        remoteStore);
  }

  private static ProtectionLevel defaultProtection(Tier tier) {
    switch (tier) {
      case DEVELOPMENT:
        return ProtectionLevel.NONE;
      case STAGING:
        return ProtectionLevel.CONFIRM;
      default:
        return ProtectionLevel.STRICT;
    }
  }

  private static Set<Method> defaultMethods(Tier tier) {
    Set<Method> all = EnumSet.allOf(Method.class);
    if (tier != Tier.DEVELOPMENT) {
      all.remove(Method.RESET);
    }
    return all;
  }

  private EnvironmentConfig.Database database(Node node, String path) {
    Map<String, NodeTuple> m = entries(node, path, DATABASE_KEYS);
    String provider = string(required(m, node, path, "provider"), path + ".provider");
    if (provider == null || provider.isBlank()) {
      throw error(m.get("provider").getValueNode(), path + ".provider", "must not be empty");
    }
    String url = optional(m, "url").map(n -> string(n, path + ".url")).orElse(null);
    if (url != null && !url.isBlank()) {
      try {
        DbUrl.parse(url);
      } catch (ConfigurationException e) {
        // The value is not echoed: DbUrl only redacts PostgreSQL-shaped URLs.
        throw error(
            m.get("url").getValueNode(),
            path + ".url",
            "not a PostgreSQL URL; expected postgresql://user:password@host:5432/database");
      }
    }
    boolean embedded = optional(m, "embedded").map(n -> bool(n, path + ".embedded")).orElse(false);
    Map<String, String> options =
        optional(m, "options").map(n -> stringMap(n, path + ".options")).orElse(Map.of());
    if (!embedded && (url == null || url.isBlank()) && options.isEmpty()) {
      throw error(node, path, "needs a url (or embedded: true, or provider options)");
    }
    return new EnvironmentConfig.Database(provider, url, embedded, options);
  }

  private Path backupStore(Node node, String path) {
    if (node instanceof MappingNode) {
      Map<String, NodeTuple> m = entries(node, path, BACKUP_STORE_KEYS);
      if (m.containsKey("options")) {
        throw error(
            m.get("options").getKeyNode(),
            path + ".options",
            "options are for a remote store (url: s3://bucket/prefix); a directory has none");
      }
      return baseDir.resolve(nonEmpty(required(m, node, path, "url"), path + ".url")).normalize();
    }
    return baseDir.resolve(nonEmpty(node, path)).normalize();
  }

  /**
   * The remote store when {@code backup-store} is a URL ({@code s3://bucket/prefix}, or a mapping
   * with {@code url} and {@code options}); null for a directory.
   */
  private EnvironmentConfig.RemoteStore remoteStore(Node node, String path) {
    Node urlNode = node;
    String urlPath = path;
    Map<String, String> options = Map.of();
    if (node instanceof MappingNode) {
      Map<String, NodeTuple> m = entries(node, path, BACKUP_STORE_KEYS);
      urlNode = required(m, node, path, "url");
      urlPath = path + ".url";
      options = optional(m, "options").map(n -> stringMap(n, path + ".options")).orElse(Map.of());
    }
    String value = nonEmpty(urlNode, urlPath);
    if (!value.contains("://")) {
      return null;
    }
    String scheme = value.substring(0, value.indexOf("://")).toLowerCase(Locale.ROOT);
    if (!REMOTE_SCHEMES.contains(scheme)) {
      throw error(
          urlNode,
          urlPath,
          "'" + DbUrl.redact(value) + "' is not supported; use a directory or s3://bucket/prefix");
    }
    java.net.URI uri;
    try {
      uri = new java.net.URI(value);
    } catch (java.net.URISyntaxException e) {
      throw error(
          urlNode, urlPath, "not a URL (" + e.getReason() + "); expected s3://bucket/prefix");
    }
    try {
      return new EnvironmentConfig.RemoteStore(uri, options);
    } catch (ConfigurationException e) {
      throw error(urlNode, urlPath, e.getMessage());
    }
  }

  private EnvironmentConfig.UrlTarget urlTarget(Node node, String path) {
    Map<String, NodeTuple> m = entries(node, path, URL_TARGET_KEYS);
    String type = nonEmpty(required(m, node, path, "type"), path + ".type");
    if (m.containsKey("path") && m.containsKey("location")) {
      throw error(
          m.get("location").getKeyNode(), path + ".location", "give either path or location");
    }
    String locationKey = m.containsKey("location") ? "location" : "path";
    String location = nonEmpty(required(m, node, path, locationKey), path + "." + locationKey);
    if (type.equals("dotenv")) {
      location = baseDir.resolve(location).normalize().toString();
    }
    String key = optional(m, "key").map(n -> nonEmpty(n, path + ".key")).orElse(null);
    return new EnvironmentConfig.UrlTarget(type, location, key);
  }

  private EnvironmentConfig.Migrations migrations(Node node, String path) {
    Map<String, NodeTuple> m = entries(node, path, MIGRATIONS_KEYS);
    MigrationTool tool =
        optional(m, "tool")
            .map(n -> choice(n, path + ".tool", MigrationTool.values()))
            .orElse(MigrationTool.SQL);
    Path dir =
        optional(m, "dir")
            .map(n -> baseDir.resolve(nonEmpty(n, path + ".dir")).normalize())
            .orElse(null);
    return new EnvironmentConfig.Migrations(tool, dir);
  }

  private Set<Method> methods(Node node, String path) {
    if (!(node instanceof SequenceNode)) {
      throw error(node, path, "expected a list, e.g. [dump-restore, point-in-time]");
    }
    Set<Method> methods = EnumSet.noneOf(Method.class);
    List<Node> items = ((SequenceNode) node).getValue();
    for (int i = 0; i < items.size(); i++) {
      methods.add(choice(items.get(i), path + "[" + i + "]", Method.values()));
    }
    return methods;
  }

  private EnvironmentConfig.Retention retention(Node node, String path) {
    Map<String, NodeTuple> m = entries(node, path, RETENTION_KEYS);
    EnvironmentConfig.Retention d = EnvironmentConfig.Retention.DEFAULT;
    return new EnvironmentConfig.Retention(
        optional(m, "keep-last").map(n -> positiveInt(n, path + ".keep-last")).orElse(d.keepLast()),
        optional(m, "max-age").map(n -> duration(n, path + ".max-age")).orElse(d.maxAge()),
        optional(m, "safety-max-age")
            .map(n -> duration(n, path + ".safety-max-age"))
            .orElse(d.safetyMaxAge()));
  }

  private List<EnvironmentConfig.SmokeQuery> verify(Node node, String path) {
    Map<String, NodeTuple> m = entries(node, path, VERIFY_KEYS);
    Optional<Node> queries = optional(m, "smoke-queries");
    if (queries.isEmpty()) {
      return List.of();
    }
    String qpath = path + ".smoke-queries";
    if (!(queries.get() instanceof SequenceNode)) {
      throw error(queries.get(), qpath, "expected a list of { name, sql, expect }");
    }
    List<EnvironmentConfig.SmokeQuery> result = new ArrayList<>();
    List<Node> items = ((SequenceNode) queries.get()).getValue();
    for (int i = 0; i < items.size(); i++) {
      String ipath = qpath + "[" + i + "]";
      Map<String, NodeTuple> q = entries(items.get(i), ipath, SMOKE_KEYS);
      result.add(
          new EnvironmentConfig.SmokeQuery(
              nonEmpty(required(q, items.get(i), ipath, "name"), ipath + ".name"),
              nonEmpty(required(q, items.get(i), ipath, "sql"), ipath + ".sql"),
              optional(q, "expect").map(n -> string(n, ipath + ".expect")).orElse(null)));
    }
    return result;
  }

  // --- node helpers

  /** The entries of a mapping by key, in file order; {@code valid} null accepts any key. */
  private Map<String, NodeTuple> entries(Node node, String path, List<String> valid) {
    if (!(node instanceof MappingNode)) {
      throw error(
          node, path.isEmpty() ? "(top level)" : path, "expected a mapping, got " + kind(node));
    }
    Map<String, NodeTuple> result = new LinkedHashMap<>();
    for (NodeTuple t : ((MappingNode) node).getValue()) {
      Node keyNode = t.getKeyNode();
      if (!(keyNode instanceof ScalarNode)) {
        throw error(keyNode, path.isEmpty() ? "(top level)" : path, "keys must be plain names");
      }
      String key = ((ScalarNode) keyNode).getValue();
      String keyPath = path.isEmpty() ? key : path + "." + key;
      if (valid != null && !valid.contains(key)) {
        throw error(keyNode, keyPath, "unknown key; valid keys: " + String.join(", ", valid));
      }
      if (result.put(key, t) != null) {
        throw error(keyNode, keyPath, "duplicate key");
      }
    }
    return result;
  }

  private static Optional<Node> optional(Map<String, NodeTuple> m, String key) {
    NodeTuple t = m.get(key);
    return t == null ? Optional.empty() : Optional.of(t.getValueNode());
  }

  private Node required(Map<String, NodeTuple> m, Node parent, String path, String key) {
    NodeTuple t = m.get(key);
    if (t == null) {
      throw error(parent, path.isEmpty() ? key : path + "." + key, "missing; this key is required");
    }
    return t.getValueNode();
  }

  /** A scalar's interpolated value; null for YAML null. */
  private String string(Node node, String path) {
    if (!(node instanceof ScalarNode)) {
      throw error(node, path, "expected a single value, got " + kind(node));
    }
    if (node.getTag().equals(Tag.NULL)) {
      return null;
    }
    return interpolate(((ScalarNode) node).getValue(), node, path);
  }

  private String nonEmpty(Node node, String path) {
    String value = string(node, path);
    if (value == null || value.isBlank()) {
      throw error(node, path, "must not be empty");
    }
    return value;
  }

  private String interpolate(String value, Node node, String path) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$${")) {
        replacement = "${";
      } else {
        String set = env.get(m.group(1));
        if (set != null && !set.isEmpty()) {
          replacement = set;
        } else if (m.group(2) != null) {
          replacement = m.group(2);
        } else {
          throw error(
              node,
              path,
              "environment variable "
                  + m.group(1)
                  + " is not set; set it or write ${"
                  + m.group(1)
                  + ":-default}");
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private <E extends Enum<E>> E choice(Node node, String path, E[] values) {
    String value = string(node, path);
    List<String> names = new ArrayList<>();
    for (E e : values) {
      String name = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
      if (name.equals(value)) {
        return e;
      }
      names.add(name);
    }
    throw error(node, path, "'" + value + "' is not one of " + String.join(", ", names));
  }

  private boolean bool(Node node, String path) {
    String value = string(node, path);
    if ("true".equals(value) || "false".equals(value)) {
      return Boolean.parseBoolean(value);
    }
    throw error(node, path, "'" + value + "' is not true or false");
  }

  private int positiveInt(Node node, String path) {
    String value = string(node, path);
    try {
      int n = Integer.parseInt(value == null ? "" : value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw error(node, path, "'" + value + "' is not a whole number of at least 1");
  }

  private Duration duration(Node node, String path) {
    String value = string(node, path);
    Matcher m = DURATION.matcher(value == null ? "" : value.trim());
    if (!m.matches()) {
      throw error(
          node,
          path,
          "'"
              + value
              + "' is not a duration; use a number followed by s, m, h, d or w, e.g. 30d, 12h, 15m");
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      case "d":
        return Duration.ofDays(n);
      default:
        return Duration.ofDays(7 * n);
    }
  }

  private Path path(Node node, String path) {
    return baseDir.resolve(nonEmpty(node, path)).normalize();
  }

  private Map<String, String> stringMap(Node node, String path) {
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, NodeTuple> e : entries(node, path, null).entrySet()) {
      String value = string(e.getValue().getValueNode(), path + "." + e.getKey());
      result.put(e.getKey(), value == null ? "" : value);
    }
    return result;
  }

  private static String kind(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return node.getTag().equals(Tag.NULL)
        ? "nothing"
        : "'" + DbUrl.redact(((ScalarNode) node).getValue()) + "'";
  }

  private ConfigurationException error(Node node, String path, String message) {
    int line = node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1;
    return new ConfigurationException(fileName + ":" + line + ": " + path + ": " + message);
  }
}
