package io.dbrecover.engine.api;

import java.util.Map;
import java.util.Objects;

/**
 * Where runs keep their journals and environments their locks ({@code state-store} in {@code
 * dbrecover.yaml}): {@code files} under the state directory (the default), or a store a provider
 * module registers, such as {@code dynamodb}.
 *
 * @param type the store's registered name
 * @param options the store's own settings, validated by the store
 */
public record StateStoreConfig(String type, Map<String, String> options) {
  /** The state directory's files: {@code runs/<run>/journal.jsonl} and {@code locks/<env>.lock}. */
  public static final StateStoreConfig FILES = new StateStoreConfig("files", Map.of());

  public StateStoreConfig {
    Objects.requireNonNull(type, "type");
    if (type.isBlank()) {
      throw new ConfigurationException("state-store.type must not be empty");
    }
    options = Map.copyOf(options);
  }
}
