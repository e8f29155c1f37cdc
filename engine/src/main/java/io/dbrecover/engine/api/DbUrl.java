package io.dbrecover.engine.api;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL connection URL ({@code postgresql://}, {@code postgres://} or {@code
 * jdbc:postgresql://}). The password is held as a {@link Secret}; {@link #toString()} is redacted.
 */
public final class DbUrl {
  private static final Pattern URL =
      Pattern.compile(
          "^(?:jdbc:)?postgres(?:ql)?://(?:(?<user>[^:@/]*)(?::(?<pass>[^@/]*))?@)?"
              + "(?<host>\\[[^\\]]+\\]|[^:/?]*)(?::(?<port>\\d+))?(?:/(?<db>[^?]*))?(?:\\?(?<query>.*))?$");
  private static final Pattern SECRET_IN_TEXT =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^:@/\\s]*:)[^@\\s]*@|(password=)[^&\\s]*");

  private final String user;
  private final Secret password;
  private final String host;
  private final int port;
  private final String database;
  private final Map<String, String> params;

  private DbUrl(
      String user,
      Secret password,
      String host,
      int port,
      String database,
      Map<String, String> params) {
    this.user = user;
    this.password = password;
    this.host = host.isEmpty() ? "localhost" : host;
    this.port = port;
    this.database = Objects.requireNonNull(database, "database");
    this.params = Map.copyOf(params);
  }

  /** Parses a URL; the message of the exception names what is wrong but never the password. */
  public static DbUrl parse(String url) {
    Matcher m = URL.matcher(url == null ? "" : url.trim());
    if (!m.matches()) {
      throw new ConfigurationException(
          "not a PostgreSQL URL: "
              + redact(String.valueOf(url))
              + "; expected postgresql:// with optional user and password, then host, port and database,"
              + " e.g. postgresql://app@db.example.com:5432/shop");
    }
    Map<String, String> params = new LinkedHashMap<>();
    String query = m.group("query");
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq));
        params.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    String user = m.group("user") != null ? decode(m.group("user")) : params.remove("user");
    String pass = m.group("pass") != null ? decode(m.group("pass")) : params.remove("password");
    params.remove("user");
    params.remove("password");
    String db =
        m.group("db") == null || m.group("db").isEmpty() ? "postgres" : decode(m.group("db"));
    int port = m.group("port") == null ? 5432 : Integer.parseInt(m.group("port"));
    return new DbUrl(
        user == null || user.isEmpty() ? null : user,
        pass == null ? null : Secret.of(pass),
        m.group("host"),
        port,
        db,
        params);
  }

  public static DbUrl of(String host, int port, String database, String user, Secret password) {
    return new DbUrl(user, password, host, port, database, Map.of());
  }

  /** Replaces anything that looks like a password in a URL or a keyword string with ****. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = SECRET_IN_TEXT.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String prefix = m.group(1) != null ? m.group(1) : m.group(2);
      m.appendReplacement(
          out, Matcher.quoteReplacement(prefix + "****" + (m.group(1) != null ? "@" : "")));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * {@code text} with passwords in URLs and keyword strings, and this URL's own password wherever
   * it stands, replaced by ****. A password shorter than four characters is replaced only where it
   * stands as a word of its own, so that a message stays readable (a one-letter password would
   * otherwise turn every such letter into ****).
   */
  public String scrub(String text) {
    String out = redact(text);
    String pw = password == null ? "" : password.reveal();
    if (out == null || pw.isEmpty()) {
      return out;
    }
    if (pw.length() >= 4) {
      return out.replace(pw, "****");
    }
    return Pattern.compile("(?<![\\p{Alnum}])" + Pattern.quote(pw) + "(?![\\p{Alnum}])")
        .matcher(out)
        .replaceAll("****");
  }

  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  public Optional<Secret> password() {
    return Optional.ofNullable(password);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String database() {
    return database;
  }

  public Map<String, String> params() {
    return params;
  }

  public DbUrl withDatabase(String name) {
    return new DbUrl(user, password, host, port, name, params);
  }

  /** JDBC URL without credentials; pass {@link #user()} and {@link #password()} separately. */
  public String jdbcUrl() {
    StringBuilder sb =
        new StringBuilder("jdbc:postgresql://")
            .append(host)
            .append(':')
            .append(port)
            .append('/')
            .append(encode(database));
    appendQuery(sb, params);
    return sb.toString();
  }

  /** The full URL including the password, as a Secret: for URL targets and child processes. */
  public Secret toSecretUri() {
    return Secret.of(format(password == null ? null : password.reveal()));
  }

  /** The URL with the password replaced by ****. */
  public String redacted() {
    return format(password == null ? null : "****");
  }

  private String format(String pass) {
    StringBuilder sb = new StringBuilder("postgresql://");
    if (user != null) {
      sb.append(encode(user));
      if (pass != null) {
        sb.append(':').append(pass.equals("****") ? pass : encode(pass));
      }
      sb.append('@');
    }
    sb.append(host).append(':').append(port).append('/').append(encode(database));
    appendQuery(sb, params);
    return sb.toString();
  }

  private static void appendQuery(StringBuilder sb, Map<String, String> params) {
    String sep = "?";
    for (Map.Entry<String, String> e : params.entrySet()) {
      sb.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
      sep = "&";
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DbUrl)) {
      return false;
    }
    DbUrl other = (DbUrl) o;
    return Objects.equals(user, other.user)
        && Objects.equals(password, other.password)
        && host.equals(other.host)
        && port == other.port
        && database.equals(other.database)
        && params.equals(other.params);
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, host, port, database, params);
  }

  @Override
  public String toString() {
    return redacted();
  }
}
