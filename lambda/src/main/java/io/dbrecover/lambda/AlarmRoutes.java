package io.dbrecover.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.Incident;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The alarm routes, read from the JSON in {@code DBRECOVER_ALARM_ROUTES}: an array of objects with
 * {@code alarm} (exact name) or {@code alarm_prefix}, {@code environment}, {@code kind} ({@code
 * data}, {@code schema} or {@code app}; default data) and {@code look_back_minutes} (default 0).
 */
public record AlarmRoutes(List<AlarmRoute> routes) {
  private static final Set<String> KEYS =
      Set.of(
          "alarm",
          "alarm_prefix",
          "tag_key",
          "tag_value",
          "environment",
          "kind",
          "look_back_minutes");

  public AlarmRoutes {
    routes = List.copyOf(routes);
  }

  public static AlarmRoutes none() {
    return new AlarmRoutes(List.of());
  }

  /** The most specific name route for the alarm, if any. */
  public Optional<AlarmRoute> route(String alarmName) {
    return routes.stream()
        .filter(r -> r.matches(alarmName))
        .max(Comparator.comparingInt(AlarmRoute::specificity));
  }

  /** The most specific tag route for an alarm with these tags (key and value beat key only). */
  public Optional<AlarmRoute> routeByTags(Map<String, String> tags) {
    return routes.stream()
        .filter(r -> r.matchesTags(tags))
        .max(Comparator.comparingInt(AlarmRoute::specificity));
  }

  /** Whether any route matches by tag, so the alarm entry needs CloudWatch. */
  public boolean anyByTag() {
    return routes.stream().anyMatch(AlarmRoute::byTag);
  }

  /** Parses the JSON array; every problem names the route and the key. */
  public static AlarmRoutes parse(String json) {
    if (json == null || json.isBlank()) {
      return none();
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new ConfigurationException(
          "DBRECOVER_ALARM_ROUTES is not JSON ("
              + e.getOriginalMessage()
              + "); expected an array such as [{\"alarm\":\"orders-corrupt\","
              + "\"environment\":\"production\",\"look_back_minutes\":15}]");
    }
    if (root == null || !root.isArray()) {
      throw new ConfigurationException("DBRECOVER_ALARM_ROUTES must be a JSON array of routes");
    }
    List<AlarmRoute> routes = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      routes.add(route(root.get(i), i));
    }
    return new AlarmRoutes(routes);
  }

  private static AlarmRoute route(JsonNode node, int index) {
    String where = "DBRECOVER_ALARM_ROUTES[" + index + "]";
    if (!node.isObject()) {
      throw new ConfigurationException(where + " must be an object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new ConfigurationException(
            where + ": unknown key '" + key + "'; known keys: " + String.join(", ", KEYS));
      }
    }
    Incident.Kind kind = Incident.Kind.DATA;
    String kindText = text(node, "kind");
    if (kindText != null) {
      try {
        kind = Incident.Kind.valueOf(kindText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException(
            where + ".kind: '" + kindText + "' is not one of data, schema, app");
      }
    }
    JsonNode minutes = node.get("look_back_minutes");
    if (minutes != null && !minutes.canConvertToLong()) {
      throw new ConfigurationException(where + ".look_back_minutes must be a whole number");
    }
    // The route's own checks name the alarm and environment in their messages.
    return new AlarmRoute(
        text(node, "alarm"),
        text(node, "alarm_prefix"),
        text(node, "tag_key"),
        text(node, "tag_value"),
        text(node, "environment"),
        kind,
        minutes == null ? Duration.ZERO : Duration.ofMinutes(minutes.asLong()));
  }

  private static String text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }
}
