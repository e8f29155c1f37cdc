package io.dbrecover.lambda;

import java.time.Instant;
import java.util.Objects;

/**
 * A CloudWatch alarm's state change, from either delivery: an SNS notification or the alarm's
 * direct Lambda action.
 *
 * @param name the alarm's name
 * @param arn the alarm's ARN (null when the notification did not carry it)
 * @param state the new state: {@code ALARM}, {@code OK} or {@code INSUFFICIENT_DATA}
 * @param previousState the state before (null when not given)
 * @param stateChangeTime when the state changed; with the name it identifies the incident
 * @param delivery {@code sns} or {@code alarm-action}
 */
public record Alarm(
    String name,
    String arn,
    String state,
    String previousState,
    Instant stateChangeTime,
    String delivery) {
  public static final String ALARM = "ALARM";

  public Alarm {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(stateChangeTime, "stateChangeTime");
  }

  /** Whether the alarm went into ALARM (other transitions start nothing). */
  public boolean firing() {
    return ALARM.equals(state);
  }
}
