package io.dbrecover.lambda;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What hcl4j lets through: every bracket closed by its own kind, every string closed on its line.
 * Comments, ${...} inside strings and heredocs are understood; nothing else of HCL is.
 */
final class HclLexicalCheck {
  private HclLexicalCheck() {}

  static void check(String name, String text) {
    Deque<Character> open = new ArrayDeque<>();
    String[] lines = text.split("\n", -1);
    String heredoc = null;
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      if (heredoc != null) {
        if (line.strip().equals(heredoc)) {
          heredoc = null;
        }
        continue;
      }
      boolean inString = false;
      int interpolation = 0;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '$' && i + 1 < line.length() && line.charAt(i + 1) == '{') {
            interpolation++;
            i++;
          } else if (c == '}' && interpolation > 0) {
            interpolation--;
          } else if (c == '"' && interpolation == 0) {
            inString = false;
          }
          continue;
        }
        if (c == '#' || (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/')) {
          break;
        }
        if (c == '<' && line.startsWith("<<", i)) {
          heredoc = line.substring(i + 2).replace("-", "").strip();
          break;
        }
        if (c == '"') {
          inString = true;
        } else if (c == '{' || c == '[' || c == '(') {
          open.push(c);
        } else if (c == '}' || c == ']' || c == ')') {
          char expected = c == '}' ? '{' : c == ']' ? '[' : '(';
          if (open.isEmpty()) {
            throw new IllegalArgumentException(
                name + ":" + (n + 1) + ": '" + c + "' closes nothing");
          }
          char got = open.pop();
          if (got != expected) {
            throw new IllegalArgumentException(
                name + ":" + (n + 1) + ": '" + c + "' closes '" + got + "'");
          }
        }
      }
      if (inString) {
        throw new IllegalArgumentException(
            name + ":" + (n + 1) + ": string not closed on its line");
      }
    }
    if (!open.isEmpty()) {
      throw new IllegalArgumentException(
          name + ": " + open.size() + " '" + open.peek() + "' never closed");
    }
  }
}
