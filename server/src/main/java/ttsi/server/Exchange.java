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

    /** Whether the response's last bytes have been handed to the connection. */
    boolean finished();

    /** Runs r once, when the last bytes of the response are written (or the write fails). */
    void onComplete(Runnable r);
}
