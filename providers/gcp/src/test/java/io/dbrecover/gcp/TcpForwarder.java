package io.dbrecover.gcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Gives a fake Cloud SQL instance its own address: listens on a loopback address (127.0.0.N) at the
 * port every instance shares, as Cloud SQL instances all listen on 5432 at their own IP, and passes
 * each connection's bytes both ways to the embedded PostgreSQL server behind it.
 */
final class TcpForwarder implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  /** Forwards what {@code listener} (already bound) accepts to localhost:{@code targetPort}. */
  TcpForwarder(ServerSocket listener, int targetPort) {
    this.listener = listener;
    this.targetPort = targetPort;
    this.acceptor = new Thread(this::accept, "fake-cloudsql-" + listener.getLocalSocketAddress());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A listener on {@code address}:{@code port}. */
  static ServerSocket bind(String address, int port) {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(address, port), 50);
      return s;
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on " + address + ":" + port, e);
    }
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket("localhost", targetPort);
        open.add(client);
        open.add(server);
        pipe(client, server);
        pipe(server, client);
      } catch (IOException e) {
        // closed, or the server went away: the client sees its connection fail
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
              } catch (IOException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "fake-cloudsql-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closeQuietly(listener);
    open.forEach(TcpForwarder::closeQuietly);
  }
}
