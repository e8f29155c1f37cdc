package io.dbrecover.engine.spi;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * Everything a provider call needs about where it runs.
 *
 * @param environment the environment's configuration
 * @param liveUrl the database the application uses now (after earlier swaps, the restored one)
 * @param stateDir dbrecover's state directory (journals, locks, the embedded cluster)
 * @param clock the clock; providers never read the system time directly
 * @param progress where long steps report progress
 */
public record ProviderContext(
    EnvironmentConfig environment, DbUrl liveUrl, Path stateDir, Clock clock, Progress progress) {
  public ProviderContext {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(liveUrl, "liveUrl");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(clock, "clock");
    progress = progress == null ? Progress.NONE : progress;
  }
}
