package io.dbrecover.engine.api;

/** Bad configuration or invalid input (exit 1); nothing has been touched. */
public final class ConfigurationException extends DbRecoverException {
  private static final long serialVersionUID = 1L;

  public ConfigurationException(String message) {
    super(ErrorCode.CONFIGURATION, message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(ErrorCode.CONFIGURATION, message, cause);
  }
}
