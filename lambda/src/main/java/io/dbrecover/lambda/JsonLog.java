package io.dbrecover.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbrecover.engine.api.DbUrl;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * Structured logs: one JSON object per line on standard output, which Lambda sends to CloudWatch
 * Logs. Every string value passes through {@link DbUrl#redact}, so a URL with a password that
 * reaches a message is logged redacted; callers still never log a {@code Secret}'s value.
 */
public final class JsonLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final Clock clock;

  /**
   * @param out where lines go (standard output in Lambda)
   * @param clock the time stamp of each line
   */
  public JsonLog(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  public void info(String entry, String message, Map<String, ?> fields) {
    write("INFO", entry, message, fields);
  }

  public void warn(String entry, String message, Map<String, ?> fields) {
    write("WARN", entry, message, fields);
  }

  public void error(String entry, String message, Map<String, ?> fields) {
    write("ERROR", entry, message, fields);
  }

  private void write(String level, String entry, String message, Map<String, ?> fields) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", clock.instant().toString());
    line.put("level", level);
    line.put("entry", entry);
    line.put("message", DbUrl.redact(message));
    for (Map.Entry<String, ?> f : fields.entrySet()) {
      Object v = f.getValue();
      if (v == null) {
        continue;
      }
      if (v instanceof Number || v instanceof Boolean) {
        line.set(f.getKey(), JSON.valueToTree(v));
      } else {
        line.put(f.getKey(), DbUrl.redact(String.valueOf(v)));
      }
    }
    String text;
    try {
      text = JSON.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      text = "{\"level\":\"ERROR\",\"message\":\"unloggable line\"}";
    }
    synchronized (out) {
      out.println(text);
      out.flush();
    }
  }
}
