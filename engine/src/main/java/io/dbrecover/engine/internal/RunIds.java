package io.dbrecover.engine.internal;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Run ids: {@code run-YYYYMMDD-HHMMSS-xxxx}, sortable by time, unique enough per environment. */
public final class RunIds {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  public static String next(Instant now) {
    byte[] b = new byte[2];
    RANDOM.nextBytes(b);
    return "run-" + FORMAT.format(now) + "-" + HexFormat.of().formatHex(b);
  }

  public static boolean isRunId(String s) {
    return s != null && s.matches("run-\\d{8}-\\d{6}-[0-9a-f]{4}");
  }

  /** A short form for database names: {@code MMDD_HHMM_xxxx}. */
  public static String shortId(String runId) {
    String[] parts = runId.split("-");
    return parts[1].substring(4) + "_" + parts[2].substring(0, 4) + "_" + parts[3];
  }
}
