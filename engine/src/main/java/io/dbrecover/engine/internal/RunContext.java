package io.dbrecover.engine.internal;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.engine.spi.UrlTarget;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * One environment resolved for work: its provider, its URL target and the live database URL.
 *
 * @param environment the configuration
 * @param provider the provider adapter
 * @param urlTarget where DATABASE_URL lives, if configured
 * @param stateDir dbrecover's state directory
 * @param clock the clock
 */
public record RunContext(
    EnvironmentConfig environment,
    Provider provider,
    Optional<UrlTarget> urlTarget,
    Path stateDir,
    Clock clock) {

  /**
   * The database the application uses now: the URL target's value when set (it follows earlier
   * swaps), else the configured one.
   */
  public DbUrl liveUrl() {
    DbUrl configured = provider.configuredUrl(environment, stateDir);
    return urlTarget.flatMap(UrlTarget::read).map(s -> DbUrl.parse(s.reveal())).orElse(configured);
  }

  public ProviderContext providerContext(DbUrl live, Progress progress) {
    return new ProviderContext(environment, live, stateDir, clock, progress);
  }
}
