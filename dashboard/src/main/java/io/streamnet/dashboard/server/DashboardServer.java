package io.streamnet.dashboard.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.SameSite;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.UnauthorizedResponse;
import io.javalin.http.sse.SseClient;
import io.javalin.json.JavalinJackson;
import io.streamnet.dashboard.aggregate.DashboardState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's web server (Javalin on Jetty): four pages (sentiment, frames, pipeline, models)
 * with their scripts, styles and the chart library (uPlot, from its WebJar) all from the classpath,
 * so a page needs no other host; the state as JSON ({@code /api/snapshot}) and pushed every second
 * as Server-Sent Events ({@code /api/events}); one key's score history ({@code /api/key?key=}). Binds 127.0.0.1 unless told otherwise; any other address requires an
 * access token (generated unless given), checked on every page, asset and event stream: as
 * {@code ?token=}, the {@code X-Streamnet-Token} header, or the cookie the first accepted request
 * sets (HttpOnly, SameSite=Strict: no script reads it, no other site's request carries it).
 *
 * <p>On a loopback address a request must name the machine itself in its Host header (localhost,
 * 127.0.0.1 or [::1], at this port): a page of another site whose name an attacker points at
 * 127.0.0.1 (DNS rebinding) sends its own name there, and is refused.
 */
public final class DashboardServer implements AutoCloseable {
    static final String COOKIE = "streamnet-token";
    static final String HEADER = "X-Streamnet-Token";
    /** The pages, the first being where "/" leads. */
    public static final List<String> PAGES = List.of("sentiment", "frames", "pipeline", "models");
    private static final List<String> TITLES = List.of("sentiment", "frames", "pipeline", "model timeline");
    static final List<String> ASSETS = List.of("style.css", "common.js", "sentiment.js", "frames.js", "pipeline.js",
            "models.js");
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

    /** The names a request to a loopback address may give as its Host (with or without the port). */
    static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

    private final DashboardState state;
    private final String token;
    private final Set<String> hostNames;
    private final Javalin app;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dashboard-sse");
        t.setDaemon(true);
        return t;
    });
    private final ObjectMapper json = DashboardJson.mapper();

    /**
     * @param token the access token; null: none on a loopback address, a generated one on any other
     */
    public DashboardServer(DashboardState state, String host, int port, String token) {
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the access token is empty: give one, or none to have one generated");
        }
        this.state = state;
        boolean loopback = loopback(host);
        this.token = token != null ? token : loopback ? null : generate();
        this.hostNames = loopback ? hostNames(host) : null;
        Map<String, byte[]> files = new HashMap<>();
        String layout = new String(resource("/dashboard/layout.html"), StandardCharsets.UTF_8);
        for (int i = 0; i < PAGES.size(); i++) {
            String page = PAGES.get(i);
            // our own fixed texts into our own layout: nothing from the stream is ever put into a page here
            files.put(page, layout.replace("${title}", TITLES.get(i)).replace("${page}", page)
                    .replace("${main}", new String(resource("/dashboard/pages/" + page + ".html"), StandardCharsets.UTF_8).strip())
                    .getBytes(StandardCharsets.UTF_8));
        }
        for (String asset : ASSETS) {
            files.put(asset, resource("/dashboard/assets/" + asset));
        }
        files.put("uPlot.iife.min.js", resource(UPLOT + "uPlot.iife.min.js"));
        files.put("uPlot.min.css", resource(UPLOT + "uPlot.min.css"));
        this.app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.jsonMapper(new JavalinJackson(json, false));
            config.startup.showJavalinBanner = false;
            config.routes.before(this::checkHost);
            config.routes.before(this::authorize);
            config.routes.get("/", ctx -> ctx.redirect(PAGES.get(0)
                    + (ctx.queryString() == null ? "" : "?" + ctx.queryString())));
            for (String page : PAGES) {
                config.routes.get("/" + page, ctx -> ctx.contentType("text/html; charset=utf-8").result(files.get(page)));
            }
            config.routes.get("/assets/{name}", ctx -> {
                byte[] body = files.get(ctx.pathParam("name"));
                if (body == null || PAGES.contains(ctx.pathParam("name"))) {
                    throw new NotFoundResponse();
                }
                ctx.contentType(contentType(ctx.pathParam("name"))).result(body);
            });
            config.routes.get("/api/snapshot", ctx -> ctx.json(state.snapshot(System.currentTimeMillis())));
            config.routes.get("/api/key", ctx -> {
                String key = ctx.queryParam("key");
                ctx.json(Map.of("key", key == null ? "" : key,
                        "history", key == null ? List.of() : state.sentiment().keys().history(key)));
            });
            config.routes.sse("/api/events", client -> {
                client.keepAlive();
                clients.add(client);
                client.onClose(() -> clients.remove(client));
                push(client);
            });
        });
    }

    public DashboardServer start() {
        app.start();
        pusher.scheduleAtFixedRate(() -> clients.forEach(this::push), 1, 1, TimeUnit.SECONDS);
        return this;
    }

    /** The port it listens on (after {@link #start()}). */
    public int port() {
        return app.port();
    }

    /** The access token, or null when none is required. */
    public String token() {
        return token;
    }

    private void push(SseClient client) {
        if (client.terminated()) {
            clients.remove(client);
            return;
        }
        try {
            String snapshot = json.writeValueAsString(state.snapshot(System.currentTimeMillis()));
            synchronized (client) { // the first push runs on the request thread, the rest on the pusher
                client.sendEvent("snapshot", snapshot);
            }
        } catch (IOException | RuntimeException e) {
            clients.remove(client);
        }
    }

    private void authorize(Context ctx) {
        if (token == null) {
            return;
        }
        String given = ctx.queryParam("token");
        if (given == null) {
            given = ctx.header(HEADER);
        }
        if (given == null) {
            given = ctx.cookie(COOKIE);
        }
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8))) {
            throw new UnauthorizedResponse("an access token is required");
        }
        if (ctx.queryParam("token") != null) {
            ctx.cookie(new Cookie(COOKIE, token, "/", -1, false, true, null, SameSite.STRICT));
        }
    }

    private void checkHost(Context ctx) {
        if (hostNames != null && !hostAllowed(ctx.header("Host"), ctx.req().getLocalPort())) {
            throw new ForbiddenResponse("this dashboard answers requests to localhost, 127.0.0.1 or [::1] only");
        }
    }

    /** Whether a Host header names one of this loopback server's names, at its port or none. */
    boolean hostAllowed(String header, int localPort) {
        if (header == null) {
            return false;
        }
        String h = header.strip().toLowerCase(java.util.Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) { // a port, not a colon inside [v6]
            if (!h.substring(colon + 1).equals(Integer.toString(localPort))) {
                return false;
            }
            h = h.substring(0, colon);
        }
        return hostNames.contains(h);
    }

    /** The loopback names and the bound address itself (127.0.0.2 when bound there). */
    private static Set<String> hostNames(String host) {
        Set<String> names = new java.util.HashSet<>(LOOPBACK_NAMES);
        String h = host.toLowerCase(java.util.Locale.ROOT);
        names.add(h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h);
        return Set.copyOf(names);
    }

    static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + host, e);
        }
    }

    private static String generate() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String contentType(String name) {
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        return name.endsWith(".css") ? "text/css; charset=utf-8" : "application/octet-stream";
    }

    private static byte[] resource(String path) {
        try (InputStream in = DashboardServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        pusher.shutdownNow();
        clients.forEach(SseClient::close);
        app.stop();
    }
}
