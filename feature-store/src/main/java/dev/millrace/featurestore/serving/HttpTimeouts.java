package dev.millrace.featurestore.serving;

import java.time.Duration;

/**
 * How long the HTTP server waits on a client ({@code millrace.serving.http.*-timeout}), so that slow or silent
 * connections (a slow-loris client, a forgotten keep-alive) cannot hold sockets and threads for ever.
 *
 * @param idle    a connection with nothing in flight is closed after this long (between keep-alive requests too)
 * @param read    a read of the socket that gets no byte for this long fails and closes the connection
 * @param request the request line and headers must have arrived this long after their first byte
 */
public record HttpTimeouts(Duration idle, Duration read, Duration request) {

    public HttpTimeouts {
        for (Duration d : new Duration[] {idle, read, request}) {
            if (d == null || d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("millrace.serving.http timeouts must be positive (and under 24 days), got "
                        + idle + ", " + read + ", " + request);
            }
        }
    }

    /** Undertow takes each as whole milliseconds in an int. */
    static int millis(Duration d) {
        return (int) d.toMillis();
    }
}
