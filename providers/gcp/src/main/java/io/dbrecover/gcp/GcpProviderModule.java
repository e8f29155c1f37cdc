package io.dbrecover.gcp;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.UrlTarget;
import io.dbrecover.gcp.internal.Sleeper;
import javax.inject.Singleton;

/**
 * Registers the Google Cloud provider ({@code cloudsql}) and URL target ({@code
 * gcp-secret-manager}) with Dagger.
 */
@Module
public final class GcpProviderModule {
  private GcpProviderModule() {}

  @Provides
  @Singleton
  static GcpClients gcpClients() {
    return GcpClients.applicationDefault();
  }

  @Provides
  @IntoMap
  @StringKey(CloudSqlProvider.NAME)
  static Provider cloudSqlProvider(GcpClients clients) {
    return new CloudSqlProvider(clients, Sleeper.SYSTEM, System.getenv());
  }

  @Provides
  @IntoMap
  @StringKey(SecretManagerUrlTarget.TYPE)
  static UrlTarget.Factory secretManager(GcpClients clients) {
    return new SecretManagerUrlTarget.Factory(clients, SecretManagerUrlTarget.DEFAULT_API_URL);
  }
}
