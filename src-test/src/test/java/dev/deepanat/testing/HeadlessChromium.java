package dev.deepanat.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol with the JDK's own WebSocket client: no driver
 * binary, no Selenium Manager, nothing downloaded. Collects the page's console errors and uncaught exceptions from the
 * moment the page is attached, before it navigates anywhere.
 */
public final class HeadlessChromium implements AutoCloseable {
    /** The flags the browser test must run with: software WebGL (SwiftShader), nothing reaching the network. */
    public static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--use-angle=swiftshader",
            "--enable-unsafe-swiftshader", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync");
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();

    /** The browser binary: $CHROMIUM, else /usr/bin/chromium; null when there is none. */
    public static Path find() {
        String env = System.getenv("CHROMIUM");
        Path p = Path.of(env != null && !env.isBlank() ? env : "/usr/bin/chromium");
        return Files.isExecutable(p) ? p : null;
    }

    /** @param extraFlags more switches, e.g. --disable-3d-apis to see a page without WebGL */
    public HeadlessChromium(Path binary, Path userDataDir, int width, int height, String... extraFlags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(binary.toString()));
        cmd.addAll(FLAGS);
        cmd.addAll(List.of(extraFlags));
        cmd.addAll(List.of("--user-data-dir=" + userDataDir, "--remote-debugging-port=0", "--window-size=" + width + "," + height, "about:blank"));
        process = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        String browserWs = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line; browserWs == null && System.nanoTime() < deadline && (line = err.readLine()) != null; ) {
            stderr.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) browserWs = m.group(1);
        }
        if (browserWs == null) {
            process.destroyForcibly();
            throw new IOException("chromium did not open its DevTools port; its stderr: " + String.join("\n", stderr));
        }
        Thread drain = new Thread(() -> err.lines().forEach(stderr::add), "chromium-stderr"); // the pipe must not fill up
        drain.setDaemon(true);
        drain.start();
        URI ws = URI.create(browserWs);
        HttpClient http = HttpClient.newHttpClient();
        String list = http.send(HttpRequest.newBuilder(URI.create("http://" + ws.getHost() + ":" + ws.getPort() + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String pageWs = null;
        for (var t : JsonParser.parseString(list).getAsJsonArray())
            if (t.getAsJsonObject().get("type").getAsString().equals("page")) pageWs = t.getAsJsonObject().get("webSocketDebuggerUrl").getAsString();
        if (pageWs == null) throw new IOException("chromium has no page target: " + list);
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new Listener()).get(30, TimeUnit.SECONDS);
        call("Runtime.enable", new JsonObject());
        call("Log.enable", new JsonObject());
        call("Page.enable", new JsonObject());
        JsonObject metrics = new JsonObject();
        metrics.addProperty("width", width);
        metrics.addProperty("height", height);
        metrics.addProperty("deviceScaleFactor", 1);
        metrics.addProperty("mobile", false);
        call("Emulation.setDeviceMetricsOverride", metrics);
    }

    /** Console errors, uncaught exceptions and error log entries seen so far. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    public List<String> stderr() {
        return List.copyOf(stderr);
    }

    public JsonObject call(String method, JsonObject params) throws Exception {
        int id = ids.incrementAndGet();
        JsonObject msg = new JsonObject();
        msg.addProperty("id", id);
        msg.addProperty("method", method);
        msg.add("params", params);
        CompletableFuture<JsonObject> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(msg.toString(), true).get(30, TimeUnit.SECONDS);
        JsonObject reply = f.get(120, TimeUnit.SECONDS);
        if (reply.has("error")) throw new IOException(method + ": " + reply.get("error"));
        return reply.getAsJsonObject("result");
    }

    public void navigate(URI url) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("url", url.toString());
        call("Page.navigate", p);
    }

    /** Evaluates a JS expression (promises awaited) and returns its value as JSON (null for undefined). */
    public com.google.gson.JsonElement eval(String expression) throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("expression", expression);
        p.addProperty("returnByValue", true);
        p.addProperty("awaitPromise", true);
        JsonObject r = call("Runtime.evaluate", p);
        if (r.has("exceptionDetails")) throw new IOException("page script failed: " + r.get("exceptionDetails"));
        JsonObject res = r.getAsJsonObject("result");
        return res.has("value") ? res.get("value") : null;
    }

    /** Polls a JS boolean expression until it is true; fails after the timeout. */
    public void waitFor(String expression, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var v = eval(expression);
            if (v != null && v.isJsonPrimitive() && v.getAsBoolean()) return;
            if (System.nanoTime() > deadline) throw new IOException("timed out after " + timeout + " waiting for " + expression);
            Thread.sleep(200);
        }
    }

    public byte[] screenshotPng() throws Exception {
        JsonObject p = new JsonObject();
        p.addProperty("format", "png");
        return Base64.getDecoder().decode(call("Page.captureScreenshot", p).get("data").getAsString());
    }

    /** A left click at page coordinates (CSS pixels). */
    public void click(double x, double y) throws Exception {
        for (String type : new String[] {"mouseMoved", "mousePressed", "mouseReleased"}) {
            JsonObject p = new JsonObject();
            p.addProperty("type", type);
            p.addProperty("x", x);
            p.addProperty("y", y);
            if (!type.equals("mouseMoved")) {
                p.addProperty("button", "left");
                p.addProperty("buttons", type.equals("mousePressed") ? 1 : 0);
                p.addProperty("clickCount", 1);
            }
            call("Input.dispatchMouseEvent", p);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the browser is ended below anyway
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private void event(JsonObject msg) {
        String method = msg.get("method").getAsString();
        JsonObject p = msg.getAsJsonObject("params");
        switch (method) {
            case "Runtime.consoleAPICalled" -> {
                if (p.get("type").getAsString().equals("error") || p.get("type").getAsString().equals("assert")) {
                    StringBuilder s = new StringBuilder("console.error:");
                    JsonArray args = p.getAsJsonArray("args");
                    for (var a : args) {
                        JsonObject o = a.getAsJsonObject();
                        s.append(' ').append(o.has("value") ? o.get("value").toString() : o.has("description") ? o.get("description").getAsString() : o.toString());
                    }
                    errors.add(s.toString());
                }
            }
            case "Runtime.exceptionThrown" -> errors.add("uncaught: " + p.getAsJsonObject("exceptionDetails"));
            case "Log.entryAdded" -> {
                JsonObject e = p.getAsJsonObject("entry");
                if (e.get("level").getAsString().equals("error")) errors.add("log error: " + e.get("text").getAsString()
                        + (e.has("url") ? " (" + e.get("url").getAsString() + ")" : ""));
            }
            default -> { }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data); // large replies (screenshots) arrive in several frames
            if (last) {
                JsonObject msg = JsonParser.parseString(partial.toString()).getAsJsonObject();
                partial.setLength(0);
                if (msg.has("id")) {
                    CompletableFuture<JsonObject> f = pending.remove(msg.get("id").getAsInt());
                    if (f != null) f.complete(msg);
                } else if (msg.has("method")) {
                    event(msg);
                }
            }
            ws.request(1);
            return null;
        }
    }
}
