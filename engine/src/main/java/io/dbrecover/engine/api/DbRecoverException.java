package io.dbrecover.engine.api;

/**
 * The one unchecked root of every error dbrecover reports. Its {@link ErrorCode} decides the exit
 * code; its message says what went wrong and what to do next, and never contains a secret.
 */
public class DbRecoverException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public DbRecoverException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public DbRecoverException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
