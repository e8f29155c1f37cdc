package io.dbrecover.lambda;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.InvalidArnException;
import software.amazon.awssdk.services.sfn.model.InvalidNameException;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineDeletingException;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;

/** Starts executions of the recovery state machine; the client is built once and kept. */
public final class StepFunctions {
  private final SfnClient client;
  private final String stateMachineArn;

  /**
   * @param client built once (cold start), with explicit timeouts and retries
   * @param stateMachineArn the recovery state machine
   */
  public StepFunctions(SfnClient client, String stateMachineArn) {
    this.client = client;
    this.stateMachineArn = stateMachineArn;
  }

  /** What a start did. */
  public record Started(String executionArn, boolean alreadyStarted) {}

  /**
   * Starts the execution {@code name} with {@code input}. An execution of that name already
   * existing is the normal answer to a duplicate delivery: it is reported, not raised. (Step
   * Functions itself answers a same-name, same-input start of a running execution with success.)
   */
  public Started start(String name, String input) {
    try {
      StartExecutionResponse r =
          client.startExecution(b -> b.stateMachineArn(stateMachineArn).name(name).input(input));
      return new Started(r.executionArn(), false);
    } catch (ExecutionAlreadyExistsException e) {
      return new Started(executionArn(name), true);
    } catch (StateMachineDoesNotExistException
        | StateMachineDeletingException
        | InvalidArnException
        | InvalidNameException e) {
      throw new ConfigurationException(
          "Step Functions refused to start "
              + name
              + " on "
              + stateMachineArn
              + ": "
              + e.awsErrorDetails().errorMessage()
              + "; check DBRECOVER_STATE_MACHINE_ARN",
          e);
    } catch (SfnException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "Step Functions StartExecution failed ("
              + e.awsErrorDetails().errorCode()
              + ", HTTP "
              + e.statusCode()
              + ", request "
              + e.requestId()
              + "): "
              + e.awsErrorDetails().errorMessage()
              + "; the alarm delivery is retried by Lambda, and a retry starts the same execution",
          e);
    } catch (SdkClientException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "cannot reach Step Functions: " + e.getMessage() + "; the delivery will be retried",
          e);
    }
  }

  /** The ARN an execution of the state machine has: its ARN with stateMachine -> execution. */
  String executionArn(String name) {
    return stateMachineArn.replaceFirst(":stateMachine:", ":execution:") + ":" + name;
  }
}
