package ttsi.bench.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import ttsi.agent.json.Json;
import ttsi.bench.Benchmark.Source;
import ttsi.bench.Benchmark;

/**
 * Downloads a benchmark's files from their official public sources into the data folder. It first checks
 * that the first source's host answers; offline it fails at once, listing the URLs it needs and how to use a
 * copy made elsewhere. Sources named {@code hf-rows:DATASET:CONFIG:SPLIT} are paged from Hugging Face's
 * datasets-server into JSON Lines.
 */
public final class Fetcher {
    public static final String HF_ROWS = "hf-rows:";
    private static final String DATASETS_SERVER = "https://datasets-server.huggingface.co/rows";
    private static final int PAGE = 100;

    /** What a fetch did. */
    public record Result(List<Path> written, List<Path> present, List<String> notUpstream) {}

    private final HttpClient client;
    private final Duration timeout;

    public Fetcher() {
        this(Duration.ofSeconds(10));
    }

    public Fetcher(Duration connectTimeout) {
        this.timeout = connectTimeout;
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public Result fetch(Benchmark b, Path dataDir, boolean force, Consumer<String> log) {
        List<Path> written = new ArrayList<>(), present = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<Source> todo = new ArrayList<>();
        for (Source s : b.sources()) {
            Path dest = dataDir.resolve(s.path());
            if (!force && Files.exists(dest)) present.add(dest);
            else todo.add(s);
        }
        if (todo.isEmpty()) return new Result(written, present, missing);
        probe(b, todo, dataDir);
        for (Source s : todo) {
            Path dest = dataDir.resolve(s.path());
            log.accept("fetching " + display(s.url()) + " -> " + dest);
            try {
                String body = s.url().startsWith(HF_ROWS) ? hfRows(s.url()) : get(s.url(), s.optional());
                if (body == null) {
                    missing.add(s.url());
                    log.accept("  not found upstream (optional): " + s.url());
                    continue;
                }
                Files.createDirectories(dest.getParent());
                Path tmp = dest.resolveSibling(dest.getFileName() + ".part");
                Files.writeString(tmp, body, StandardCharsets.UTF_8);
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                written.add(dest);
            } catch (IOException e) {
                throw new FetchException("downloading " + display(s.url()) + " failed: " + e.getMessage() + hint(b, todo, dataDir), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FetchException("interrupted while downloading " + display(s.url()), e);
            }
        }
        return new Result(written, present, missing);
    }

    /** Fails fast, with the list of URLs, when the first host cannot be reached. */
    private void probe(Benchmark b, List<Source> todo, Path dataDir) {
        String url = todo.getFirst().url().startsWith(HF_ROWS) ? DATASETS_SERVER : todo.getFirst().url();
        URI uri = URI.create(url);
        try {
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout.multipliedBy(2)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
            client.send(req, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new FetchException("cannot reach " + uri.getHost() + " (" + why + ")." + hint(b, todo, dataDir), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while contacting " + uri.getHost(), e);
        }
    }

    static String hint(Benchmark b, List<Source> todo, Path dataDir) {
        StringBuilder sb = new StringBuilder("\n'ttsi data fetch " + b.name() + "' needs internet access to download:");
        for (Source s : todo) sb.append("\n  ").append(display(s.url())).append("\n    -> ").append(dataDir.resolve(s.path()));
        String top = b.files().getFirst().split("/")[0];
        sb.append("\nOn a machine without internet, copy those files (same relative paths) into a folder by other means and pass")
                .append(" --data-dir DIR, DIR being the folder that holds ").append(top).append("/.");
        return sb.toString();
    }

    /** A human-readable URL: hf-rows sources show the datasets-server address. */
    static String display(String url) {
        if (!url.startsWith(HF_ROWS)) return url;
        String[] p = url.substring(HF_ROWS.length()).split(":");
        return DATASETS_SERVER + "?dataset=" + p[0] + "&config=" + p[1] + "&split=" + p[2] + " (paged)";
    }

    private String get(String url, boolean optional) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() == 404 && optional) return null;
        if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + " for " + url);
        return r.body();
    }

    /** Every row of a Hub dataset split, one JSON object per line. */
    private String hfRows(String source) throws IOException, InterruptedException {
        String[] p = source.substring(HF_ROWS.length()).split(":");
        if (p.length != 3) throw new IOException("bad source " + source + " (expected hf-rows:DATASET:CONFIG:SPLIT)");
        StringBuilder out = new StringBuilder();
        int offset = 0;
        long total = Long.MAX_VALUE;
        while (offset < total) {
            String url = DATASETS_SERVER + "?dataset=" + enc(p[0]) + "&config=" + enc(p[1]) + "&split=" + enc(p[2])
                    + "&offset=" + offset + "&length=" + PAGE;
            JsonNode page = Json.parse(get(url, false));
            total = page.path("num_rows_total").asLong(0);
            JsonNode rows = page.path("rows");
            if (!rows.isArray() || rows.isEmpty()) break;
            for (JsonNode r : rows) out.append(Json.compact(r.path("row"))).append('\n');
            offset += rows.size();
        }
        if (out.isEmpty()) throw new IOException("no rows in " + display(source));
        return out.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
