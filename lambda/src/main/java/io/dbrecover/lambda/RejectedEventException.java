package io.dbrecover.lambda;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;

/** An event a handler cannot act on (malformed, unknown shape, unmapped); nothing was touched. */
public final class RejectedEventException extends DbRecoverException {
  private static final long serialVersionUID = 1L;

  public RejectedEventException(String message) {
    super(ErrorCode.CONFIGURATION, message);
  }
}
