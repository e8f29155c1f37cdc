package io.dbrecover.lambda;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.Incident;
import java.time.Duration;

/**
 * Which environment an alarm is about, and what kind of incident it signals.
 *
 * @param alarmName the alarm's exact name, or null
 * @param alarmNamePrefix matches every alarm whose name starts with it, or null
 * @param tagKey matches every alarm with this tag (and {@code tagValue}, when given), or null
 * @param environment the dbrecover environment to recover
 * @param kind what the alarm says is damaged
 * @param lookBack the damage is taken to have begun this long before the alarm's state change
 */
public record AlarmRoute(
    String alarmName,
    String alarmNamePrefix,
    String tagKey,
    String tagValue,
    String environment,
    Incident.Kind kind,
    Duration lookBack) {

  public AlarmRoute {
    int matchers =
        (alarmName == null ? 0 : 1) + (alarmNamePrefix == null ? 0 : 1) + (tagKey == null ? 0 : 1);
    if (matchers != 1) {
      throw new ConfigurationException(
          "an alarm route needs exactly one of \"alarm\", \"alarm_prefix\" or \"tag_key\" (route"
              + " for environment "
              + environment
              + ")");
    }
    if (tagValue != null && tagKey == null) {
      throw new ConfigurationException(
          "an alarm route's \"tag_value\" needs its \"tag_key\" (route for environment "
              + environment
              + ")");
    }
    if (environment == null || !environment.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new ConfigurationException(
          "alarm route for '"
              + describe()
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

  /** Whether this route matches by tag (which needs the alarm's tags from CloudWatch). */
  public boolean byTag() {
    return tagKey != null;
  }

  /** Whether this name route is for the alarm named {@code name} (tag routes never are). */
  public boolean matches(String name) {
    if (alarmName != null) {
      return alarmName.equals(name);
    }
    return alarmNamePrefix != null && name.startsWith(alarmNamePrefix);
  }

  /** Whether this tag route is for an alarm with {@code tags}. */
  public boolean matchesTags(java.util.Map<String, String> tags) {
    return tagKey != null
        && tags.containsKey(tagKey)
        && (tagValue == null || tagValue.equals(tags.get(tagKey)));
  }

  /** Longer is more specific: exact names beat every prefix, longer prefixes beat shorter. */
  int specificity() {
    if (alarmName != null) {
      return Integer.MAX_VALUE;
    }
    return alarmNamePrefix != null ? alarmNamePrefix.length() : tagValue != null ? 1 : 0;
  }

  private String describe() {
    if (alarmName != null) {
      return alarmName;
    }
    if (alarmNamePrefix != null) {
      return alarmNamePrefix + "*";
    }
    return "tag " + tagKey + (tagValue == null ? "" : "=" + tagValue);
  }
}
