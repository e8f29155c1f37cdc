package io.dbrecover.lambda;

import dagger.Module;
import dagger.Provides;
import io.dbrecover.aws.AwsClients;
import io.dbrecover.aws.AwsSettings;
import io.dbrecover.aws.DynamoDbStateStore;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.StateStoreConfig;
import java.time.Clock;
import javax.inject.Singleton;

/**
 * Where executions record their runs: beside the engine's journals and locks. With {@code
 * state-store: {type: dynamodb}} that is the same table (region, endpoint and role from the same
 * options, the client from the AWS module); otherwise files in the state directory.
 */
@Module
public final class ExecutionRunsModule {
  private ExecutionRunsModule() {}

  @Provides
  @Singleton
  static ExecutionRuns executionRuns(DbRecoverConfig config, AwsClients clients, Clock clock) {
    StateStoreConfig store = config.stateStore();
    if (DynamoDbStateStore.TYPE.equals(store.type())) {
      return new DynamoDbExecutionRuns(
          clients.dynamoDb(AwsSettings.fromOptions(store.options())),
          DynamoDbStateStore.tableName(store),
          clock);
    }
    return new FileExecutionRuns(config.stateDir());
  }
}
