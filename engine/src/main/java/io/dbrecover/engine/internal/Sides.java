package io.dbrecover.engine.internal;

import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** The same work done on the current and the recovered database at once. */
record Sides<T>(T current, T recovered) {
  /** Work on one side. */
  interface Work<T> {
    T call() throws SQLException;
  }

  /** Runs {@code recovered} on the pool while {@code current} runs on the calling thread. */
  static <T> Sides<T> run(ExecutorService pool, Work<T> current, Work<T> recovered)
      throws SQLException {
    Future<T> other = pool.submit(recovered::call);
    T mine;
    try {
      mine = current.call();
    } catch (SQLException | RuntimeException e) {
      other.cancel(true);
      throw e;
    }
    try {
      return new Sides<>(mine, other.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while comparing", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException) {
        throw (SQLException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException(cause);
    }
  }
}
