package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.Secret;
import java.util.Map;
import java.util.Optional;

/**
 * Where the application reads DATABASE_URL: a dotenv file, a secret store. Registered with Dagger
 * under its config type ({@code @StringKey("dotenv")}) as a {@link Factory}.
 */
public interface UrlTarget {

  /** A description for the operator, e.g. {@code .env (DATABASE_URL)}; no secrets. */
  String describe();

  /** The current value, if set. */
  Optional<Secret> read();

  /**
   * Replaces the value atomically and keeps the previous one where {@link #swapBack} finds it.
   * Idempotent per run id: a second call for the same run keeps the first recorded previous value.
   *
   * @return where the previous value is kept (a file path, a secret version id), for the journal
   */
  Map<String, String> write(Secret value, String runId);

  /** Puts back the value recorded by {@link #write} under {@code receipt}. */
  void swapBack(Map<String, String> receipt);

  /** Creates targets from configuration. */
  interface Factory {
    UrlTarget create(
        io.dbrecover.engine.api.EnvironmentConfig.UrlTarget config, java.nio.file.Path baseDir);
  }
}
