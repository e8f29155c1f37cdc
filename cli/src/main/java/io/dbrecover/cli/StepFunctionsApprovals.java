package io.dbrecover.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.ApprovalRequest;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.SfnClientBuilder;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;

/**
 * Answers the recovery state machine's approval requests (what {@code dbrecover approve} does): the
 * request the step entry recorded in the state store gives the task token; the answer goes to Step
 * Functions ({@code SendTaskSuccess} with {@code {"approved": true, "by", "phrase"}}, or {@code
 * SendTaskFailure} with error {@code Denied}) and is then recorded beside the request, so a second
 * answer is refused. The token is never printed.
 *
 * <p>Exit codes: an unknown run id, an answered or expired request and a strict approval without
 * its phrase change nothing and exit 1 (validation), as an unknown run id does for {@code resume};
 * a Step Functions failure exits 8.
 */
public final class StepFunctionsApprovals {
  /** The Step Functions error of a denial; the state machine's Catch notifies the failure. */
  public static final String DENIED = "Denied";

  private final RecoveryEngine engine;
  private final DbRecoverConfig config;
  private final Function<String, SfnClient> clients;
  private final Clock clock;

  /**
   * @param clients a Step Functions client for a region (from the execution's ARN; null: the
   *     default region chain)
   */
  public StepFunctionsApprovals(
      RecoveryEngine engine, DbRecoverConfig config, Function<String, SfnClient> clients) {
    this.engine = engine;
    this.config = config;
    this.clients = clients;
    this.clock = engine.clock();
  }

  /**
   * Step Functions clients with the default credentials (the approver's own), explicit timeouts,
   * and {@code endpoint} (null: the public endpoint of the region).
   */
  public static Function<String, SfnClient> clients(URI endpoint) {
    return region -> {
      SfnClientBuilder b =
          SfnClient.builder()
              .credentialsProvider(DefaultCredentialsProvider.builder().build())
              .httpClientBuilder(
                  UrlConnectionHttpClient.builder()
                      .connectionTimeout(Duration.ofSeconds(5))
                      .socketTimeout(Duration.ofSeconds(20)))
              .overrideConfiguration(
                  ClientOverrideConfiguration.builder()
                      .retryStrategy(
                          AwsRetryStrategy.standardRetryStrategy().toBuilder()
                              .maxAttempts(4)
                              .build())
                      .apiCallTimeout(Duration.ofSeconds(60))
                      .build());
      b.region(region != null ? Region.of(region) : defaultRegion());
      if (endpoint != null) {
        b.endpointOverride(endpoint);
      }
      return b.build();
    };
  }

  /**
   * The request of {@code runId} that still waits for an answer.
   *
   * @throws ConfigurationException (exit 1) when there is none, listing those that wait, or when it
   *     was answered or has expired
   */
  public ApprovalRequest waiting(String runId) {
    if (!RecoveryEngine.isRunId(runId)) {
      throw new ConfigurationException(
          "'" + runId + "' is not a run id (run-YYYYMMDD-HHMMSS-xxxx); " + pendingList());
    }
    ApprovalRequest r =
        engine
            .approval(config, runId)
            .orElseThrow(
                () ->
                    new ConfigurationException(
                        "no approval request for run "
                            + runId
                            + " in the state store; "
                            + pendingList()));
    if (r.answer() != null) {
      throw new ConfigurationException(answered(r) + "; nothing was sent");
    }
    if (!clock.instant().isBefore(r.expiresAt())) {
      throw new ConfigurationException(
          "the approval request of run "
              + runId
              + " expired at "
              + r.expiresAt()
              + " (the state machine stopped waiting and started nothing); to recover "
              + r.environment()
              + " now, start a new execution or run `dbrecover rollback "
              + r.environment()
              + "`");
    }
    return r;
  }

  /** The requests that still wait, newest first. */
  public List<ApprovalRequest> pending() {
    Instant now = clock.instant();
    return engine.approvals(config).stream().filter(r -> r.pending(now)).toList();
  }

  /**
   * Approves: sends the answer, then records it.
   *
   * @throws DbRecoverException exit 6 when a strict environment's phrase is not {@code
   *     rollback-<env>} (nothing sent); exit 1 when Step Functions no longer waits; exit 8 when it
   *     fails
   */
  public ApprovalRequest.Answer approve(ApprovalRequest r, String by, String phrase) {
    if (r.protection() == ProtectionLevel.STRICT
        && !ApprovalRequest.phrase(r.environment()).equals(phrase)) {
      throw new DbRecoverException(
          ErrorCode.CANCELLED,
          "environment '"
              + r.environment()
              + "' is strict: approving needs the phrase "
              + ApprovalRequest.phrase(r.environment())
              + " (--phrase); nothing was sent");
    }
    ObjectNode answer = JsonNodeFactory.instance.objectNode().put("approved", true);
    if (by != null) {
      answer.put("by", by);
    }
    if (phrase != null) {
      answer.put("phrase", phrase);
    }
    String json = answer.toString();
    send(r, c -> c.sendTaskSuccess(b -> b.taskToken(r.taskToken().reveal()).output(json)));
    return record(r, new ApprovalRequest.Answer(ApprovalRequest.Outcome.APPROVED, by, null, now()));
  }

  /** Denies: the state machine notifies the failure and starts nothing. */
  public ApprovalRequest.Answer deny(ApprovalRequest r, String by, String reason) {
    String cause =
        "denied" + (by == null ? "" : " by " + by) + (reason == null ? "" : ": " + reason);
    send(
        r,
        c ->
            c.sendTaskFailure(
                b ->
                    b.taskToken(r.taskToken().reveal())
                        .error(DENIED)
                        .cause(cause.length() > 32768 ? cause.substring(0, 32768) : cause)));
    return record(r, new ApprovalRequest.Answer(ApprovalRequest.Outcome.DENIED, by, reason, now()));
  }

  private ApprovalRequest.Answer record(ApprovalRequest r, ApprovalRequest.Answer a) {
    if (!engine.answerApproval(config, r.runId(), a)) {
      // Answered by another approver between our read and our send: Step Functions took ours, so
      // theirs must have failed; the record keeps the first one written.
      return engine.approval(config, r.runId()).map(ApprovalRequest::answer).orElse(a);
    }
    return a;
  }

  private void send(ApprovalRequest r, java.util.function.Consumer<SfnClient> call) {
    try {
      call.accept(clients.apply(region(r.executionArn())));
    } catch (TaskTimedOutException | TaskDoesNotExistException | InvalidTokenException e) {
      // The task no longer waits: it timed out, or someone answered it (perhaps with the aws CLI).
      engine.answerApproval(
          config,
          r.runId(),
          new ApprovalRequest.Answer(ApprovalRequest.Outcome.EXPIRED, null, code(e), now()));
      ApprovalRequest now = engine.approval(config, r.runId()).orElse(r);
      throw new ConfigurationException(
          (now.answer() != null && now.answer().outcome() != ApprovalRequest.Outcome.EXPIRED
                  ? answered(now)
                  : "the state machine no longer waits for the approval of run "
                      + r.runId()
                      + " (Step Functions: "
                      + code(e)
                      + "; it timed out at "
                      + r.expiresAt()
                      + " or was answered outside dbrecover)")
              + "; nothing was sent. See the execution "
              + r.execution()
              + " for what happened",
          e);
    } catch (AwsServiceException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "Step Functions refused the answer to run "
              + r.runId()
              + " ("
              + code(e)
              + ", HTTP "
              + e.statusCode()
              + ", request "
              + e.requestId()
              + "): "
              + redact(
                  e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage(),
                  r)
              + "; approvers need states:SendTaskSuccess and states:SendTaskFailure (the"
              + " recovery module's approver_policy_json output). Nothing was recorded: try again",
          e);
    } catch (SdkClientException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "cannot reach Step Functions to answer run "
              + r.runId()
              + ": "
              + redact(e.getMessage(), r)
              + "; check the network and the region. Nothing was recorded: try again",
          e);
    } catch (SdkException e) {
      throw new DbRecoverException(
          ErrorCode.PROVIDER_API,
          "Step Functions failed to take the answer to run "
              + r.runId()
              + ": "
              + redact(e.getMessage(), r),
          e);
    }
  }

  /** The region field of an execution ARN (arn:aws:states:REGION:account:execution:...). */
  static String region(String executionArn) {
    if (executionArn == null) {
      return null;
    }
    String[] parts = executionArn.split(":");
    return parts.length > 3 && !parts[3].isEmpty() ? parts[3] : null;
  }

  private static Region defaultRegion() {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      throw new ConfigurationException(
          "no AWS region for Step Functions: the approval request names no execution ARN; set"
              + " AWS_REGION",
          e);
    }
  }

  private String pendingList() {
    List<ApprovalRequest> waiting = pending();
    if (waiting.isEmpty()) {
      return "no approval request is waiting";
    }
    return "waiting: "
        + waiting.stream()
            .map(
                w ->
                    w.runId()
                        + " ("
                        + w.environment()
                        + ", "
                        + w.method()
                        + ", until "
                        + w.expiresAt()
                        + ")")
            .collect(Collectors.joining(", "));
  }

  static String answered(ApprovalRequest r) {
    ApprovalRequest.Answer a = r.answer();
    String what =
        a.outcome() == ApprovalRequest.Outcome.EXPIRED
            ? "found expired"
            : a.outcome().name().toLowerCase(Locale.ROOT);
    return "the approval request of run "
        + r.runId()
        + " was already answered: "
        + what
        + (a.by() == null ? "" : " by " + a.by())
        + " at "
        + a.at();
  }

  private static String code(SdkException e) {
    if (e instanceof AwsServiceException && ((AwsServiceException) e).awsErrorDetails() != null) {
      return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }
    return e.getClass().getSimpleName();
  }

  /** Service messages may quote the token; it never reaches the terminal. */
  private static String redact(String message, ApprovalRequest r) {
    return String.valueOf(message).replace(r.taskToken().reveal(), "****");
  }

  private Instant now() {
    return clock.instant();
  }
}
