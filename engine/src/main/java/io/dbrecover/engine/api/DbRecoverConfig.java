package io.dbrecover.engine.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The whole configuration: the file it came from (empty for the built-in embedded default), the
 * state directory for reports (and, with the {@code files} state store, journals and locks), the
 * environments by name, and where journals and locks are kept.
 */
public record DbRecoverConfig(
    Optional<Path> source,
    Path stateDir,
    Map<String, EnvironmentConfig> environments,
    StateStoreConfig stateStore) {

  public DbRecoverConfig {
    environments = Map.copyOf(new TreeMap<>(environments));
    Objects.requireNonNull(stateStore, "stateStore");
  }

  /** A configuration whose journals and locks are files under {@code stateDir}. */
  public DbRecoverConfig(
      Optional<Path> source, Path stateDir, Map<String, EnvironmentConfig> environments) {
    this(source, stateDir, environments, StateStoreConfig.FILES);
  }

  /** The named environment, or a configuration error listing the ones that exist. */
  public EnvironmentConfig environment(String name) {
    EnvironmentConfig env = environments.get(name);
    if (env == null) {
      throw new ConfigurationException(
          "unknown environment '"
              + name
              + "' in "
              + source.map(Path::toString).orElse("the built-in default configuration")
              + "; known environments: "
              + String.join(", ", new TreeMap<>(environments).keySet()));
    }
    return env;
  }
}
