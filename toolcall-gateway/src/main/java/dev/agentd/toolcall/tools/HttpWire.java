package dev.agentd.toolcall.tools;

import dev.agentd.toolcall.CancellationToken;
import dev.agentd.toolcall.ToolException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 exchange over a connection to an address the caller already
 * chose and checked, written by hand on purpose: {@code java.net.http} and
 * {@code HttpURLConnection} resolve the host name again when they connect, so
 * a DNS answer that changes between our check and their connect (DNS
 * rebinding) would take the request to an address nobody checked. Here the
 * socket connects to exactly {@link Target#address()}; the name is used only
 * for the {@code Host} header, TLS SNI and certificate verification.
 *
 * <p>Deliberately small: one request per connection ({@code Connection:
 * close}), {@code identity} encoding asked for, bodies framed by
 * {@code Content-Length}, chunked encoding or the end of the connection, and
 * every read bounded by the call's deadline and cancellable by closing the
 * socket.
 */
final class HttpWire {
    private HttpWire() {}

    /** Longest status or header line, and all header lines together: a server cannot make us buffer more. */
    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_HEADERS = 200;
    /** Interim (1xx) responses skipped before the real one. */
    private static final int MAX_INTERIM = 5;

    /** Where to connect: {@code host} for Host/SNI/certificate, {@code address} for the socket. */
    record Target(boolean tls, String host, int port, InetAddress address, String requestTarget) {
        String hostHeader() {
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            boolean defaultPort = port == (tls ? 443 : 80);
            return defaultPort ? h : h + ":" + port;
        }
    }

    record Response(int status, String reason, List<Map.Entry<String, String>> headers, byte[] body, boolean truncated) {
        /** The first header named {@code name} (case-insensitive). */
        Optional<String> header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
        }
    }

    /** The call ran past its deadline. */
    static final class TimeoutException extends ToolException {
        TimeoutException(String message) {
            super(message);
        }
    }

    /**
     * Sends {@code method} with {@code headers} (already checked: no CR/LF) and
     * {@code body}, and reads the response, keeping at most {@code maxBytes} of
     * its body ({@code truncated} says more was there).
     */
    static Response exchange(Target t, String method, List<Map.Entry<String, String>> headers, byte[] body,
                             long maxBytes, Instant deadline, CancellationToken cancel)
            throws IOException, ToolException {
        Socket plain = new Socket();
        cancel.onCancel(() -> closeQuietly(plain));
        try (plain) {
            cancel.throwIfCancelled();
            plain.connect(new InetSocketAddress(t.address(), t.port()), timeoutMillis(deadline, "connecting to " + t.host()));
            Socket s = plain;
            if (t.tls()) {
                s = tls(plain, t, deadline);
            }
            try (Socket sock = s) {
                OutputStream out = sock.getOutputStream();
                out.write(requestHead(t, method, headers, body).getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                InputStream in = new DeadlineInput(sock, deadline);
                return readResponse(in, method, maxBytes);
            }
        } catch (SocketTimeoutException e) {
            throw new TimeoutException("timed out talking to " + t.host() + ":" + t.port() + " (the call's deadline passed)");
        } catch (IOException e) {
            if (cancel.isCancelled()) {
                throw new ToolException("cancelled");
            }
            throw e;
        }
    }

    private static Socket tls(Socket plain, Target t, Instant deadline) throws IOException, ToolException {
        SSLSocketFactory f = (SSLSocketFactory) SSLSocketFactory.getDefault();
        SSLSocket ssl = (SSLSocket) f.createSocket(plain, t.host(), t.port(), true);
        SSLParameters p = ssl.getSSLParameters();
        // Verify the certificate against the NAME (not the pinned address): the
        // address came from DNS, the trust comes from the certificate.
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (AddressPolicy.literal(t.host()).isEmpty()) {
            p.setServerNames(List.of(new SNIHostName(t.host())));
        }
        ssl.setSSLParameters(p);
        ssl.setSoTimeout(timeoutMillis(deadline, "the TLS handshake with " + t.host()));
        ssl.startHandshake();
        return ssl;
    }

    private static String requestHead(Target t, String method, List<Map.Entry<String, String>> headers, byte[] body) {
        StringBuilder b = new StringBuilder();
        b.append(method).append(' ').append(t.requestTarget()).append(" HTTP/1.1\r\n");
        b.append("Host: ").append(t.hostHeader()).append("\r\n");
        b.append("Connection: close\r\n");
        b.append("Accept-Encoding: identity\r\n");
        boolean userAgent = false;
        for (Map.Entry<String, String> h : headers) {
            userAgent |= h.getKey().equalsIgnoreCase("User-Agent");
            b.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (!userAgent) {
            b.append("User-Agent: agentd-toolcall\r\n");
        }
        if (body != null) {
            b.append("Content-Length: ").append(body.length).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static Response readResponse(InputStream in, String method, long maxBytes) throws IOException, ToolException {
        for (int interim = 0; ; interim++) {
            String statusLine = readLine(in);
            if (statusLine == null) {
                throw new IOException("the server closed the connection without a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3
                    || !parts[1].chars().allMatch(Character::isDigit)) {
                throw new IOException("not an HTTP/1.x status line: \"" + Json.printable(statusLine) + "\"");
            }
            int status = Integer.parseInt(parts[1]);
            List<Map.Entry<String, String>> headers = readHeaders(in);
            if (status >= 100 && status < 200) {
                if (status == 101 || interim >= MAX_INTERIM) {
                    throw new IOException("unexpected interim response " + status);
                }
                continue;
            }
            String reason = parts.length > 2 ? parts[2] : "";
            Response head = new Response(status, reason, headers, new byte[0], false);
            if (method.equals("HEAD") || status == 204 || status == 304) {
                return head;
            }
            Optional<String> te = head.header("Transfer-Encoding");
            Capped out = new Capped(maxBytes);
            if (te.isPresent()) {
                if (!te.get().toLowerCase(Locale.ROOT).trim().endsWith("chunked")) {
                    throw new IOException("unsupported Transfer-Encoding \"" + Json.printable(te.get()) + "\"");
                }
                readChunked(in, out);
            } else if (head.header("Content-Length").isPresent()) {
                long length = contentLength(headers);
                copy(in, out, length);
                if (!out.full() && out.size() < length) {
                    throw new IOException("the connection closed after " + out.size() + " of " + length + " body bytes");
                }
            } else {
                copy(in, out, Long.MAX_VALUE);
            }
            return new Response(status, reason, headers, out.toByteArray(), out.truncated);
        }
    }

    private static long contentLength(List<Map.Entry<String, String>> headers) throws IOException {
        Long length = null;
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase("Content-Length")) {
                String v = h.getValue().trim();
                if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(Character::isDigit)) {
                    throw new IOException("invalid Content-Length \"" + Json.printable(v) + "\"");
                }
                long l = Long.parseLong(v);
                if (length != null && length != l) {
                    // Two lengths: a response-smuggling shape; refuse rather than pick one.
                    throw new IOException("conflicting Content-Length headers " + length + " and " + l);
                }
                length = l;
            }
        }
        return length;
    }

    private static List<Map.Entry<String, String>> readHeaders(InputStream in) throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int total = 0;
        while (true) {
            String line = readLine(in);
            if (line == null) {
                throw new IOException("the connection closed inside the response headers");
            }
            if (line.isEmpty()) {
                return headers;
            }
            total += line.length();
            if (total > MAX_HEADER_BYTES || headers.size() >= MAX_HEADERS) {
                throw new IOException("response headers larger than " + MAX_HEADER_BYTES + " bytes or "
                        + MAX_HEADERS + " lines");
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !headers.isEmpty()) {
                // Obsolete line folding (RFC 9112 5.2): a continuation of the previous value.
                Map.Entry<String, String> last = headers.remove(headers.size() - 1);
                headers.add(Map.entry(last.getKey(), last.getValue() + " " + line.trim()));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed response header line \"" + Json.printable(line) + "\"");
            }
            headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
    }

    private static void readChunked(InputStream in, Capped out) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new IOException("the connection closed inside a chunked body");
            }
            int semi = sizeLine.indexOf(';');
            String hex = (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IOException("invalid chunk size \"" + Json.printable(sizeLine) + "\"");
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                readHeaders(in); // trailers, ignored
                return;
            }
            copy(in, out, size);
            if (out.full()) {
                return; // enough: the rest is not read, the connection is closed
            }
            String crlf = readLine(in);
            if (crlf == null || !crlf.isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    /** Copies up to {@code length} bytes, stopping once {@code out} is full (and then marked truncated). */
    private static void copy(InputStream in, Capped out, long length) throws IOException {
        byte[] buf = new byte[16 * 1024];
        long left = length;
        while (left > 0 && !out.full()) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                return;
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    /** A line ending in CRLF (or a bare LF), without it, as ISO-8859-1; null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                return b.length() == 0 ? null : b.toString();
            }
            if (c == '\n') {
                int len = b.length();
                if (len > 0 && b.charAt(len - 1) == '\r') {
                    b.setLength(len - 1);
                }
                return b.toString();
            }
            if (b.length() >= MAX_LINE) {
                throw new IOException("a response line is longer than " + MAX_LINE + " bytes");
            }
            b.append((char) c);
        }
    }

    /** Body bytes up to a cap; writing beyond it only records that there was more. */
    private static final class Capped extends ByteArrayOutputStream {
        private final long cap;
        boolean truncated;

        Capped(long cap) {
            super((int) Math.min(cap, 64 * 1024));
            this.cap = cap;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = (int) Math.min(len, cap - count);
            if (room < len) {
                truncated = true;
            }
            if (room > 0) {
                super.write(b, off, room);
            }
        }

        boolean full() {
            return truncated;
        }
    }

    /** A socket stream whose every read waits at most until the deadline. */
    private static final class DeadlineInput extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final Instant deadline;
        private final byte[] one = new byte[1];
        private final byte[] buf = new byte[8 * 1024];
        private int pos;
        private int end;

        DeadlineInput(Socket socket, Instant deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos == end) {
                long ms = Duration.between(Instant.now(), deadline).toMillis();
                if (ms <= 0) {
                    throw new SocketTimeoutException("deadline passed");
                }
                socket.setSoTimeout((int) Math.min(ms, Integer.MAX_VALUE));
                int n = in.read(buf, 0, buf.length);
                if (n < 0) {
                    return -1;
                }
                pos = 0;
                end = n;
            }
            int n = Math.min(len, end - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private static int timeoutMillis(Instant deadline, String what) throws TimeoutException {
        long ms = Duration.between(Instant.now(), deadline).toMillis();
        if (ms <= 0) {
            throw new TimeoutException("timed out before " + what + " (the call's deadline passed)");
        }
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is how a cancelled call stops reading; a failure to close changes nothing.
        }
    }
}
