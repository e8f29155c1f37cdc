package io.dbrecover.lambda;

import dagger.BindsInstance;
import dagger.Component;
import io.dbrecover.aws.AwsProviderModule;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.EngineModule;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.neon.NeonProviderModule;
import io.dbrecover.postgres.PostgresProviderModule;
import javax.inject.Singleton;

/**
 * The Lambda's object graph: the engine with every provider this build includes (as the CLI's), the
 * configuration, and the handlers' own parts. Built once per execution environment.
 */
@Singleton
@Component(
    modules = {
      EngineModule.class,
      PostgresProviderModule.class,
      NeonProviderModule.class,
      AwsProviderModule.class,
      ConfigModule.class,
      ExecutionRunsModule.class
    })
public interface LambdaComponent {
  RecoveryEngine engine();

  DbRecoverConfig config();

  LambdaSettings settings();

  JsonLog log();

  ExecutionRuns executionRuns();

  /** Creates the graph for the given settings and log. */
  @Component.Factory
  interface Factory {
    LambdaComponent create(@BindsInstance LambdaSettings settings, @BindsInstance JsonLog log);
  }

  static LambdaComponent create(LambdaSettings settings, JsonLog log) {
    return DaggerLambdaComponent.factory().create(settings, log);
  }
}
