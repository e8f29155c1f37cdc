package io.dbrecover.engine.api;

import java.util.Optional;

/** A provider API refused or failed a call after retries (exit 8), with its request id if any. */
public class ProviderException extends DbRecoverException {
  private static final long serialVersionUID = 1L;
  private final String requestId;

  public ProviderException(String message, String requestId, Throwable cause) {
    super(ErrorCode.PROVIDER_API, message, cause);
    this.requestId = requestId;
  }

  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }
}
