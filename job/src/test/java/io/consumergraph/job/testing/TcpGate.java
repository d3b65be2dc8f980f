package io.consumergraph.job.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP port that stands for a server which cannot be reached until {@link #open()}: while closed
 * it accepts each connection and drops it at once, so a client sees the server as down; once open
 * it forwards every new connection to the target. The port is bound from the start, so no other
 * process can take it in between, and the target can be fully prepared before the gate opens.
 */
public final class TcpGate implements AutoCloseable {

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean open;

  private TcpGate(URI target) throws IOException {
    this.target = new InetSocketAddress(target.getHost(), target.getPort());
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "tcp-gate-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A closed gate in front of {@code target} (an http URI with host and port). */
  public static TcpGate closedInFrontOf(URI target) throws IOException {
    return new TcpGate(target);
  }

  /** The URI clients use instead of the target's. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** From now on new connections reach the target. */
  public void open() {
    open = true;
  }

  /**
   * From now on new connections are refused and the ones open are cut, as when the server behind
   * goes down.
   */
  public void shut() {
    open = false;
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }

  /** An open gate in front of {@code target}. */
  public static TcpGate openInFrontOf(URI target) throws IOException {
    TcpGate gate = new TcpGate(target);
    gate.open();
    return gate;
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (!open) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side went away: close both below
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-gate-pump");
    t.setDaemon(true);
    t.start();
  }

  private void closeQuietly(Socket s) {
    sockets.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing more to do for a socket that is going away
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
