package ttsi.server;

import java.util.Map;

/** One HTTP request and its response, independent of the HTTP library. Response methods may be called from any thread. */
interface Exchange {
    String method();

    /** The path without the query string. */
    String path();

    /** A request header (case-insensitive), or null. */
    String header(String name);

    String body();

    /** System.nanoTime() when the request arrived. */
    long startNanos();

    /** Cancelled when the client goes away (and by the server on timeout or shutdown). */
    Cancel cancel();

    /** A whole response. */
    void respond(int status, String contentType, Map<String, String> headers, byte[] body);

    /** Starts a 200 text/event-stream response. */
    void startEvents(Map<String, String> headers);

    /** Sends one server-sent event {@code data: ...}; false when the client is gone. */
    boolean event(String data);

    /** Ends the event stream. */
    void endEvents();

    /** Whether the response has started (status and headers sent). */
    boolean started();

    /** Passes everything to another exchange (to override a few calls). */
    class Delegate implements Exchange {
        private final Exchange d;

        Delegate(Exchange d) {
            this.d = d;
        }

        @Override
        public String method() {
            return d.method();
        }

        @Override
        public String path() {
            return d.path();
        }

        @Override
        public String header(String name) {
            return d.header(name);
        }

        @Override
        public String body() {
            return d.body();
        }

        @Override
        public long startNanos() {
            return d.startNanos();
        }

        @Override
        public Cancel cancel() {
            return d.cancel();
        }

        @Override
        public void respond(int status, String contentType, Map<String, String> headers, byte[] body) {
            d.respond(status, contentType, headers, body);
        }

        @Override
        public void startEvents(Map<String, String> headers) {
            d.startEvents(headers);
        }

        @Override
        public boolean event(String data) {
            return d.event(data);
        }

        @Override
        public void endEvents() {
            d.endEvents();
        }

        @Override
        public boolean started() {
            return d.started();
        }
    }
}
