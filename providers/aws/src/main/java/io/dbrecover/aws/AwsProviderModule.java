package io.dbrecover.aws;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.UrlTarget;
import javax.inject.Singleton;

/**
 * Registers the AWS providers ({@code rds}, {@code aurora}) and URL targets ({@code
 * secretsmanager}) with Dagger.
 */
@Module
public final class AwsProviderModule {
  private AwsProviderModule() {}

  @Provides
  @Singleton
  static AwsClients awsClients() {
    return AwsClients.fromDefaultChain();
  }

  @Provides
  @IntoMap
  @StringKey(SecretsManagerUrlTarget.TYPE)
  static UrlTarget.Factory secretsManager(AwsClients clients) {
    return new SecretsManagerUrlTarget.Factory(clients, AwsSettings.DEFAULT);
  }

  @Provides
  @IntoMap
  @StringKey(RdsProvider.NAME)
  static Provider rdsProvider(AwsClients clients) {
    return new RdsProvider(clients);
  }

  @Provides
  @IntoMap
  @StringKey(AuroraProvider.NAME)
  static Provider auroraProvider(AwsClients clients) {
    return new AuroraProvider(clients);
  }
}
