package io.dbrecover.aws;

import dagger.Module;
import dagger.Provides;
import dagger.multibindings.IntoMap;
import dagger.multibindings.StringKey;
import io.dbrecover.engine.spi.BackupStorage;
import io.dbrecover.engine.spi.Provider;
import io.dbrecover.engine.spi.StateStore;
import io.dbrecover.engine.spi.UrlTarget;
import java.time.Clock;
import javax.inject.Singleton;

/**
 * Registers the AWS providers ({@code rds}, {@code aurora}), URL targets ({@code secretsmanager},
 * {@code ssm}), the state store ({@code dynamodb}) and the {@code s3://} backup store with Dagger.
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
  @StringKey(S3BackupStorage.SCHEME)
  static BackupStorage.Factory s3BackupStorage(AwsClients clients) {
    return new S3BackupStorage.Factory(clients);
  }

  @Provides
  @IntoMap
  @StringKey(SsmParameterUrlTarget.TYPE)
  static UrlTarget.Factory ssmParameter(AwsClients clients) {
    return new SsmParameterUrlTarget.Factory(clients, AwsSettings.DEFAULT);
  }

  @Provides
  @IntoMap
  @StringKey(RdsProvider.NAME)
  static Provider rdsProvider(AwsClients clients) {
    return new RdsProvider(clients);
  }

  @Provides
  @IntoMap
  @StringKey(DynamoDbStateStore.TYPE)
  static StateStore.Factory dynamoDbStateStore(AwsClients clients, Clock clock) {
    return new DynamoDbStateStore.Factory(clients, clock);
  }

  @Provides
  @IntoMap
  @StringKey(AuroraProvider.NAME)
  static Provider auroraProvider(AwsClients clients) {
    return new AuroraProvider(clients);
  }
}
