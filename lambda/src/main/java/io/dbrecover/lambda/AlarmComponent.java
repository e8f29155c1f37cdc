package io.dbrecover.lambda;

import dagger.BindsInstance;
import dagger.Component;
import io.dbrecover.engine.api.DbRecoverConfig;
import javax.inject.Singleton;

/**
 * The alarm entry's object graph: configuration and Step Functions, no engine and no provider, so
 * the alarm entry ships as a small jar of its own and starts fast.
 */
@Singleton
@Component(modules = {ConfigModule.class, StepFunctionsModule.class})
public interface AlarmComponent {
  DbRecoverConfig config();

  LambdaSettings settings();

  JsonLog log();

  StepFunctions stepFunctions();

  AlarmTags alarmTags();

  /** Creates the graph for the given settings and log. */
  @Component.Factory
  interface Factory {
    AlarmComponent create(@BindsInstance LambdaSettings settings, @BindsInstance JsonLog log);
  }

  static AlarmComponent create(LambdaSettings settings, JsonLog log) {
    return DaggerAlarmComponent.factory().create(settings, log);
  }
}
