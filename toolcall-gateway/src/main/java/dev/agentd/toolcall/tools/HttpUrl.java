package dev.agentd.toolcall.tools;

import dev.agentd.toolcall.ToolException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An http(s) URL taken apart for {@link HttpWire}: scheme, host (lower case,
 * IPv6 without brackets, no trailing dot), port (80/443 by default) and the
 * request target. {@link URI} does the parsing, so a URL with spaces, CR/LF or
 * other characters that could split the request line is refused before any
 * of it is sent.
 */
record HttpUrl(URI uri, boolean tls, String host, int port, String requestTarget) {

    static HttpUrl parse(String url) throws ToolException {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new ToolException("invalid URL \"" + Json.printable(url) + "\": " + e.getReason());
        }
        return of(u, url);
    }

    static HttpUrl of(URI u, String shown) throws ToolException {
        String what = "URL \"" + Json.printable(shown) + "\"";
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ToolException(what + ": only http and https are supported");
        }
        if (u.getRawUserInfo() != null) {
            // user@host URLs put credentials where logs and the agent can see them, and
            // "http://allowed.example@evil.example/" confuses readers about the host.
            throw new ToolException(what + ": user information in URLs is not allowed (send an Authorization header)");
        }
        String host = u.getHost();
        if (host == null || host.isEmpty()) {
            throw new ToolException(what + ": no valid host (internationalised names must be written in xn-- form)");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.endsWith(".") && host.length() > 1) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.indexOf('%') >= 0) {
            throw new ToolException(what + ": IPv6 zone ids are not supported");
        }
        boolean tls = scheme.equals("https");
        int port = u.getPort() < 0 ? (tls ? 443 : 80) : u.getPort();
        if (port < 1 || port > 65535) {
            throw new ToolException(what + ": port " + port + " is not in 1..65535");
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        if (!path.startsWith("/")) {
            throw new ToolException(what + ": expected an absolute http(s) URL");
        }
        String target = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
        return new HttpUrl(u, tls, host, port, target);
    }

    /** The value a {@code net:} grant must cover: {@code host:port}, IPv6 in brackets (the broker's spelling). */
    String grantValue() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Scheme, host and port: what must stay the same for secrets to follow a redirect. */
    String origin() {
        return (tls ? "https" : "http") + "://" + grantValue();
    }

    /** {@code location} (absolute or relative) resolved against this URL. */
    HttpUrl resolve(String location) throws ToolException {
        URI next;
        try {
            next = uri.resolve(new URI(location));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ToolException("redirect to an invalid Location \"" + Json.printable(location) + "\"");
        }
        return of(next, next.toString());
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
