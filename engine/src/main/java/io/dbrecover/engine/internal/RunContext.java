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
 * Resolves the configured URL once (for the embedded default that starts a server); the URL target
 * is read on every call, since a swap changes it.
 */
public final class RunContext {
  private final EnvironmentConfig environment;
  private final Provider provider;
  private final Optional<UrlTarget> urlTarget;
  private final Path stateDir;
  private final Clock clock;
  private DbUrl configured;

  /**
   * @param environment the configuration
   * @param provider the provider adapter
   * @param urlTarget where DATABASE_URL lives, if configured
   * @param stateDir dbrecover's state directory
   * @param clock the clock
   */
  public RunContext(
      EnvironmentConfig environment,
      Provider provider,
      Optional<UrlTarget> urlTarget,
      Path stateDir,
      Clock clock) {
    this.environment = environment;
    this.provider = provider;
    this.urlTarget = urlTarget;
    this.stateDir = stateDir;
    this.clock = clock;
  }

  public EnvironmentConfig environment() {
    return environment;
  }

  public Provider provider() {
    return provider;
  }

  public Optional<UrlTarget> urlTarget() {
    return urlTarget;
  }

  public Path stateDir() {
    return stateDir;
  }

  public Clock clock() {
    return clock;
  }

  /**
   * The database the application uses now: the URL target's value when set (it follows earlier
   * swaps), else the configured one.
   */
  public DbUrl liveUrl() {
    // Resolved first even when the target has a value: for the embedded default this is what
    // starts the server the target's URL points to.
    DbUrl fromConfig = configuredUrl();
    return urlTarget.flatMap(UrlTarget::read).map(s -> DbUrl.parse(s.reveal())).orElse(fromConfig);
  }

  private synchronized DbUrl configuredUrl() {
    if (configured == null) {
      configured = provider.configuredUrl(environment, stateDir);
    }
    return configured;
  }

  public ProviderContext providerContext(DbUrl live, Progress progress) {
    return new ProviderContext(environment, live, stateDir, clock, progress);
  }
}
