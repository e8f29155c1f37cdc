package io.dbrecover.lambda;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.Incident;
import java.time.Duration;

/**
 * Which environment an alarm is about, and what kind of incident it signals.
 *
 * @param alarmName the alarm's exact name, or null when {@code alarmNamePrefix} is given
 * @param alarmNamePrefix matches every alarm whose name starts with it, or null
 * @param environment the dbrecover environment to recover
 * @param kind what the alarm says is damaged
 * @param lookBack the damage is taken to have begun this long before the alarm's state change
 */
public record AlarmRoute(
    String alarmName,
    String alarmNamePrefix,
    String environment,
    Incident.Kind kind,
    Duration lookBack) {

  public AlarmRoute {
    if ((alarmName == null) == (alarmNamePrefix == null)) {
      throw new ConfigurationException(
          "an alarm route needs exactly one of \"alarm\" or \"alarm_prefix\" (route for environment "
              + environment
              + ")");
    }
    if (environment == null || !environment.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new ConfigurationException(
          "alarm route for '"
              + (alarmName != null ? alarmName : alarmNamePrefix + "*")
              + "' needs an \"environment\" named in dbrecover.yaml, not '"
              + environment
              + "'");
    }
    if (kind == null) {
      kind = Incident.Kind.DATA;
    }
    if (lookBack == null) {
      lookBack = Duration.ZERO;
    }
    if (lookBack.isNegative() || lookBack.compareTo(Duration.ofDays(7)) > 0) {
      throw new ConfigurationException(
          "alarm route for environment "
              + environment
              + ": look_back_minutes must be between 0 and 10080 (7 days), not "
              + lookBack.toMinutes());
    }
  }

  /** Whether this route is for the alarm named {@code name}. */
  public boolean matches(String name) {
    return alarmName != null ? alarmName.equals(name) : name.startsWith(alarmNamePrefix);
  }

  /** Longer is more specific: exact names beat every prefix, longer prefixes beat shorter. */
  int specificity() {
    return alarmName != null ? Integer.MAX_VALUE : alarmNamePrefix.length();
  }
}
