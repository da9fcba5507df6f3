package ttsi.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import ttsi.agent.json.Json;

/** A small JSON-over-HTTP client for the tests (loopback only). */
final class Http {
    /** A new client per request: servers in tests come and go on reused ports, so pooled connections could be stale. */
    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    record Reply(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() {
            return Json.parse(body);
        }

        /** The data of each server-sent event, [DONE] included. */
        List<String> events() {
            List<String> out = new ArrayList<>();
            for (String line : body.split("\n")) if (line.startsWith("data: ")) out.add(line.substring(6));
            return out;
        }
    }

    private Http() {}

    static Reply post(String url, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        try (HttpClient c = client()) {
            HttpResponse<String> r = c.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        }
    }

    static Reply get(String url) throws Exception {
        return send("GET", url, null);
    }

    static Reply send(String method, String url, String body) throws Exception {
        try (HttpClient c = client()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers(), r.body());
        }
    }
}
