package ttsi.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import ttsi.agent.json.Json;

/**
 * A bounded load test of a running server on loopback: {@code requests} chat completions from {@code clients}
 * concurrent clients, each sending its next request as soon as it has an answer. A 429 is an answer, counted; with
 * {@code retry429} the client waits the Retry-After and sends the request again (as the OpenAI SDK does), else it
 * moves on. An error is a transport failure, a 5xx or a malformed body; a lost response is a request without any
 * answer. Latency is per request, retries included. {@code warmup} requests go first, one at a time, untimed.
 */
public final class ServeBench {
    /** model: null to use the first one the server lists. */
    public record Options(String baseUrl, String model, int requests, int clients, int maxTokens, double streamShare, Duration timeout,
                          boolean retry429, int warmup) {
        public Options(String baseUrl, String model, int requests, int clients, int maxTokens, double streamShare, Duration timeout) {
            this(baseUrl, model, requests, clients, maxTokens, streamShare, timeout, false, 0);
        }

        public Options {
            if (requests < 1 || clients < 1) throw new IllegalArgumentException("requests and clients must be >= 1");
            if (requests > 100_000) throw new IllegalArgumentException("at most 100000 requests");
            if (timeout == null) timeout = Duration.ofMinutes(2);
        }
    }

    public record Report(int requests, int clients, int ok, int rejected, int errors, int lost, double seconds, double answeredPerSecond,
                         double okPerSecond, double p50, double p90, double p99, double max, double p50All, double p99All,
                         int completionTokens, Map<String, Integer> errorKinds) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requests", requests);
            m.put("clients", clients);
            m.put("ok_200", ok);
            m.put("rejected_429", rejected);
            m.put("errors", errors);
            m.put("lost", lost);
            m.put("wall_seconds", round(seconds));
            m.put("answers_per_second", round(answeredPerSecond));
            m.put("ok_per_second", round(okPerSecond));
            m.put("completion_tokens_per_second", round(completionTokens / seconds));
            m.put("latency_ok_p50_ms", round(p50 * 1000));
            m.put("latency_ok_p90_ms", round(p90 * 1000));
            m.put("latency_ok_p99_ms", round(p99 * 1000));
            m.put("latency_ok_max_ms", round(max * 1000));
            m.put("latency_all_p50_ms", round(p50All * 1000));
            m.put("latency_all_p99_ms", round(p99All * 1000));
            if (!errorKinds.isEmpty()) m.put("error_kinds", errorKinds);
            return m;
        }

        private static double round(double v) {
            return Math.round(v * 100) / 100.0;
        }
    }

    private ServeBench() {}

    /** Refuses targets off this machine: the load test only ever sends traffic to loopback. */
    static void requireLoopback(String baseUrl) {
        String host = URI.create(baseUrl).getHost();
        try {
            if (host == null || !InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException("the load test only targets loopback addresses (127.0.0.1, localhost), got " + host);
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + host, e);
        }
    }

    public static Report run(Options o) throws InterruptedException {
        requireLoopback(o.baseUrl());
        String root = o.baseUrl().replaceAll("/+$", "");
        URI url = URI.create(root + "/chat/completions");
        String model = o.model() != null ? o.model() : servedModel(root);
        AtomicInteger next = new AtomicInteger();
        List<Double> okLat = new CopyOnWriteArrayList<>(), allLat = new CopyOnWriteArrayList<>();
        AtomicInteger ok = new AtomicInteger(), rejected = new AtomicInteger(), errors = new AtomicInteger(), answered = new AtomicInteger(),
                tokens = new AtomicInteger();
        Map<String, Integer> kinds = new ConcurrentHashMap<>();
        try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int i = 0; i < o.warmup(); i++) {
                try {
                    c.send(HttpRequest.newBuilder(url).timeout(o.timeout()).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body(model, -1 - i, o, false))).build(), HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("warm-up request failed: " + e.getMessage(), e);
                }
            }
        }
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < o.clients(); c++) {
            threads.add(Thread.ofPlatform().name("load-client-" + c).start(() -> {
                try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build()) {
                    int i;
                    while ((i = next.getAndIncrement()) < o.requests()) {
                        boolean stream = o.streamShare() > 0 && (i % 100) < o.streamShare() * 100;
                        String body = body(model, i, o, stream);
                        long s = System.nanoTime();
                        try {
                            HttpResponse<String> r;
                            int tries = 0;
                            while (true) {
                                r = client.send(HttpRequest.newBuilder(url).timeout(o.timeout())
                                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                        HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() != 429 || !o.retry429() || ++tries > 100) break;
                                rejected.incrementAndGet();
                                Thread.sleep(retryAfterMillis(r));
                            }
                            double lat = (System.nanoTime() - s) / 1e9;
                            answered.incrementAndGet();
                            allLat.add(lat);
                            String problem = check(r, stream, tokens);
                            if (r.statusCode() == 429) {
                                rejected.incrementAndGet();
                            } else if (problem == null) {
                                ok.incrementAndGet();
                                okLat.add(lat);
                            } else {
                                errors.incrementAndGet();
                                kinds.merge(problem, 1, Integer::sum);
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            kinds.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        double secs = (System.nanoTime() - t0) / 1e9;
        List<Double> okSorted = new ArrayList<>(okLat), allSorted = new ArrayList<>(allLat);
        Collections.sort(okSorted);
        Collections.sort(allSorted);
        int lost = o.requests() - answered.get();
        return new Report(o.requests(), o.clients(), ok.get(), rejected.get(), errors.get(), lost, secs, answered.get() / secs, ok.get() / secs,
                pct(okSorted, 50), pct(okSorted, 90), pct(okSorted, 99), okSorted.isEmpty() ? 0 : okSorted.getLast(), pct(allSorted, 50),
                pct(allSorted, 99), tokens.get(), new LinkedHashMap<>(kinds));
    }

    private static String body(String model, int i, Options o, boolean stream) {
        return "{\"model\": " + Json.compact(Json.NODES.textNode(model)) + ", \"messages\": [{\"role\": \"user\", \"content\": "
                + "\"Request " + i + ": say something.\"}], \"max_tokens\": " + o.maxTokens() + ", \"temperature\": 0.7, \"seed\": " + i
                + (stream ? ", \"stream\": true, \"stream_options\": {\"include_usage\": true}" : "") + ", \"ttsi\": \"off\"}";
    }

    /** The Retry-After in milliseconds (1 s when absent or unreadable, at most 10 s). */
    private static long retryAfterMillis(HttpResponse<String> r) {
        try {
            return (long) Math.min(10_000, Math.max(0, Double.parseDouble(r.headers().firstValue("retry-after").orElse("1")) * 1000));
        } catch (NumberFormatException e) {
            return 1000;
        }
    }

    /** The first model the server lists. */
    static String servedModel(String root) {
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(root + "/models")).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return Json.parse(r.body()).get("data").get(0).get("id").asText();
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot list the models of " + root + ": " + e.getMessage(), e);
        }
    }

    /** Null when the answer is a well-formed 200 (or a 429 with Retry-After); else what is wrong with it. */
    private static String check(HttpResponse<String> r, boolean stream, AtomicInteger tokens) {
        if (r.statusCode() == 429) return r.headers().firstValue("retry-after").isPresent() ? null : "429 without Retry-After";
        if (r.statusCode() != 200) return "HTTP " + r.statusCode();
        try {
            if (stream) {
                String[] lines = r.body().split("\n");
                String last = null;
                for (String l : lines) if (l.startsWith("data: ")) last = l.substring(6);
                if (!"[DONE]".equals(last)) return "stream without [DONE]";
                for (String l : lines) {
                    if (l.startsWith("data: {") && l.contains("\"usage\":{")) tokens.addAndGet(Json.parse(l.substring(6)).get("usage").get("completion_tokens").asInt());
                }
                return null;
            }
            JsonNode n = Json.parse(r.body());
            if (!n.path("choices").path(0).path("message").has("content")) return "no message";
            tokens.addAndGet(n.path("usage").path("completion_tokens").asInt());
            return null;
        } catch (RuntimeException e) {
            return "malformed body";
        }
    }

    static double pct(List<Double> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    public static String format(Report r) {
        StringBuilder sb = new StringBuilder();
        r.toMap().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%-30s %s%n", k, v)));
        return sb.toString();
    }
}
