package io.dbrecover.cli;

import dagger.Component;
import io.dbrecover.aws.AwsProviderModule;
import io.dbrecover.engine.api.EngineModule;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.gcp.GcpProviderModule;
import io.dbrecover.neon.NeonProviderModule;
import io.dbrecover.postgres.PostgresProviderModule;
import javax.inject.Singleton;

/** The CLI's object graph: the engine with every provider this build includes. */
@Singleton
@Component(
    modules = {
      EngineModule.class,
      PostgresProviderModule.class,
      NeonProviderModule.class,
      AwsProviderModule.class,
      GcpProviderModule.class
    })
interface CliComponent {
  RecoveryEngine engine();
}
