package ttsi.server;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/** Counters, gauges and histograms in the Prometheus text exposition format (version 0.0.4). */
public final class Metrics {
    static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

    private record Family(String name, String type, String help) {}

    private static final class Histogram {
        final LongAdder[] counts = new LongAdder[LATENCY_BUCKETS.length];
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
        }

        void observe(double v) {
            for (int i = 0; i < LATENCY_BUCKETS.length; i++) if (v <= LATENCY_BUCKETS[i]) counts[i].increment();
            count.increment();
            sum.add(v);
        }
    }

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Histogram>> histograms = new ConcurrentHashMap<>();
    private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();

    public Metrics() {
        family("ttsi_requests_total", "counter", "HTTP requests answered, by endpoint and status code.");
        family("ttsi_rejected_total", "counter", "Requests answered 429 because the queue was full.");
        family("ttsi_client_hints_total", "counter", "Client TT-SI hints lowered to what the operator allows (outcome=lowered).");
        family("ttsi_connections_refused_total", "counter", "Connections answered and closed by the connection limits, by reason (slow_body: 408, too_many, buffers_full: 503).");
        family("ttsi_buffered_body_bytes", "gauge", "Bytes of request bodies being received, all connections together.");
        family("ttsi_unauthorized_total", "counter", "Requests answered 401: no API key, or a wrong one.");
        family("ttsi_cancelled_total", "counter", "Requests whose work was cancelled, by reason (client_disconnected, timeout, shutdown).");
        family("ttsi_tokens_total", "counter", "Tokens processed, by kind (prompt, completion).");
        family("ttsi_adaptations_total", "counter", "TT-SI decisions on requests with tools, by outcome (adapted, certain, off, no_data, teacher_failed, limited, unsupported).");
        family("ttsi_request_duration_seconds", "histogram", "Wall time of a request, by endpoint.");
        family("ttsi_stage_duration_seconds", "histogram", "Wall time of each stage of a request (queue, score, synthesize, train, answer, prompt_logprobs).");
        family("ttsi_time_to_first_token_seconds", "histogram", "Time from a request's arrival to its first generated token.");
        family("ttsi_queue_depth", "gauge", "Requests admitted and not finished (running or waiting).");
        family("ttsi_engine_jobs_waiting", "gauge", "Engine jobs waiting for the engine.");
    }

    private void family(String name, String type, String help) {
        families.put(name, new Family(name, type, help));
    }

    public void inc(String name, String labels) {
        add(name, labels, 1);
    }

    public void add(String name, String labels, long n) {
        counters.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).computeIfAbsent(labels, k -> new LongAdder()).add(n);
    }

    public void observe(String name, String labels, double seconds) {
        histograms.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).computeIfAbsent(labels, k -> new Histogram()).observe(seconds);
    }

    public void gauge(String name, DoubleSupplier value) {
        gauges.put(name, value);
    }

    /** A counter's value (tests). */
    public long counter(String name, String labels) {
        var m = counters.get(name);
        LongAdder a = m == null ? null : m.get(labels);
        return a == null ? 0 : a.sum();
    }

    /** {@code key="value",...} with the value escaped as the format asks. */
    public static String labels(String... kv) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(kv[i]).append("=\"").append(kv[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return sb.toString();
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Family f : new TreeMap<>(families).values()) {
            sb.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
            sb.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            switch (f.type) {
                case "counter" -> {
                    var m = counters.get(f.name);
                    if (m != null) new TreeMap<>(m).forEach((l, v) -> line(sb, f.name, l, v.sum()));
                }
                case "gauge" -> {
                    DoubleSupplier g = gauges.get(f.name);
                    if (g != null) line(sb, f.name, "", g.getAsDouble());
                }
                default -> {
                    var m = histograms.get(f.name);
                    if (m != null) {
                        new TreeMap<>(m).forEach((l, h) -> {
                            String sep = l.isEmpty() ? "" : l + ",";
                            for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
                                line(sb, f.name + "_bucket", sep + "le=\"" + num(LATENCY_BUCKETS[i]) + "\"", h.counts[i].sum());
                            }
                            line(sb, f.name + "_bucket", sep + "le=\"+Inf\"", h.count.sum());
                            line(sb, f.name + "_sum", l, h.sum.sum());
                            line(sb, f.name + "_count", l, h.count.sum());
                        });
                    }
                }
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, String labels, double v) {
        sb.append(name);
        if (!labels.isEmpty()) sb.append('{').append(labels).append('}');
        sb.append(' ').append(num(v)).append('\n');
    }

    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }
}
