package io.dbrecover.forwardfix.internal;

/** Splits names quoted by {@code quote_ident} as {@code schema.name}. */
final class Names {
  private Names() {}

  /** The schema part, still quoted as given. */
  static String schema(String qualified) {
    return qualified.substring(0, dot(qualified));
  }

  /** The unqualified name, unquoted. */
  static String name(String qualified) {
    String n = qualified.substring(dot(qualified) + 1);
    if (n.startsWith("\"")) {
      return n.substring(1, n.length() - 1).replace("\"\"", "\"");
    }
    return n;
  }

  private static int dot(String qualified) {
    boolean quoted = false;
    for (int i = 0; i < qualified.length(); i++) {
      char ch = qualified.charAt(i);
      if (ch == '"') {
        quoted = !quoted;
      } else if (ch == '.' && !quoted) {
        return i;
      }
    }
    throw new IllegalArgumentException("not a qualified name: " + qualified);
  }
}
