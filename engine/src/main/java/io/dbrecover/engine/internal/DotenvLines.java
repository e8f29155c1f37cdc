package io.dbrecover.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and edits one key of dotenv text line by line, keeping every other line, the order, line
 * endings, an {@code export} prefix, the quoting style and trailing comments. Values span one line.
 */
final class DotenvLines {
  private static final Pattern ASSIGNMENT =
      Pattern.compile("^(\\s*(?:export\\s+)?)([A-Za-z_][A-Za-z0-9_.]*)(\\s*=\\s*)(.*)$");
  private static final Pattern SAFE_UNQUOTED = Pattern.compile("[A-Za-z0-9_./:@?&=%+,~-]*");

  private DotenvLines() {}

  /** A parsed assignment: text before the value, the value, its quote (0: none), text after. */
  private record Assignment(String head, String value, char quote, String tail) {}

  /** The key's value; the last assignment wins, as when the file is sourced. */
  static Optional<String> get(String text, String key) {
    String found = null;
    for (String line : text.split("\n", -1)) {
      Assignment a = parse(line, key);
      if (a != null) {
        found = a.value();
      }
    }
    return Optional.ofNullable(found);
  }

  /** The text with every assignment of the key set to the value, or one appended. */
  static String set(String text, String key, String value) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    boolean replaced = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Assignment a = parse(line, key);
      if (a != null) {
        String cr = line.endsWith("\r") ? "\r" : "";
        lines.set(i, a.head() + quote(value, a.quote()) + a.tail() + cr);
        replaced = true;
      }
    }
    if (replaced) {
      return String.join("\n", lines);
    }
    String prefix = text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
    return prefix + key + "=" + quote(value, (char) 0) + "\n";
  }

  /** The text without any assignment of the key. */
  static String remove(String text, String key) {
    List<String> kept = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (parse(line, key) == null) {
        kept.add(line);
      }
    }
    return String.join("\n", kept);
  }

  private static Assignment parse(String rawLine, String key) {
    String line = rawLine.endsWith("\r") ? rawLine.substring(0, rawLine.length() - 1) : rawLine;
    Matcher m = ASSIGNMENT.matcher(line);
    if (!m.matches() || !m.group(2).equals(key)) {
      return null;
    }
    String head = m.group(1) + m.group(2) + m.group(3);
    String rest = m.group(4);
    if (rest.startsWith("\"")) {
      StringBuilder value = new StringBuilder();
      for (int i = 1; i < rest.length(); i++) {
        char c = rest.charAt(i);
        if (c == '\\' && i + 1 < rest.length()) {
          char next = rest.charAt(++i);
          value.append(next == 'n' ? '\n' : next);
        } else if (c == '"') {
          return new Assignment(head, value.toString(), '"', rest.substring(i + 1));
        } else {
          value.append(c);
        }
      }
    } else if (rest.startsWith("'")) {
      int end = rest.indexOf('\'', 1);
      if (end > 0) {
        return new Assignment(head, rest.substring(1, end), '\'', rest.substring(end + 1));
      }
    }
    // Unquoted (or an unterminated quote): the value ends where a " #" comment starts.
    Matcher comment = Pattern.compile("\\s+#").matcher(rest);
    int end = comment.find() ? comment.start() : rest.length();
    String value = rest.substring(0, end).stripTrailing();
    return new Assignment(head, value, (char) 0, rest.substring(value.length()));
  }

  private static String quote(String value, char preferred) {
    boolean safe = SAFE_UNQUOTED.matcher(value).matches();
    if (preferred == 0 && safe) {
      return value;
    }
    if ((preferred == '\'' || preferred == 0)
        && value.indexOf('\'') < 0
        && value.indexOf('\n') < 0) {
      return "'" + value + "'";
    }
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
