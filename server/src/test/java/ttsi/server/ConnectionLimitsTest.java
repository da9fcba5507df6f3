package ttsi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Slow-body (slowloris) and idle connections are answered and closed; normal clients are served meanwhile. */
@Timeout(60)
class ConnectionLimitsTest {
    static final String CHAT = "{\"model\": \"scripted\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";

    /** Sends the headers of a request announcing a large body, and part of the body, then goes quiet. */
    static Socket slowBody(int port) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[7000]);
        out.flush();
        return s;
    }

    /** Everything the server sends until it closes the connection. */
    static String readToClose(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void slowBodiesGet408AndAreClosedWhileNormalClientsAreServed() throws Exception {
        ServeOptions o = ServeOptions.defaults(0, "scripted").withConnections(new ConnectionLimits(Duration.ofSeconds(1), Duration.ofSeconds(30), 64));
        try (TtsiServer server = new TtsiServer(o, ScriptedModel.toolCaller(), null).start()) {
            List<Socket> slow = new ArrayList<>();
            for (int i = 0; i < 20; i++) slow.add(slowBody(server.port()));
            // While 20 slow clients hold their connections, a normal request is answered.
            assertEquals(200, Http.post(server.baseUrl() + "/chat/completions", CHAT).status());
            long t0 = System.nanoTime();
            for (Socket s : slow) {
                String reply = readToClose(s); // returns once the server closes
                assertTrue(reply.startsWith("HTTP/1.1 408"), reply);
                assertTrue(reply.contains("\"code\":\"request_timeout\""), reply);
                s.close();
            }
            assertTrue((System.nanoTime() - t0) / 1e9 < 10, "closed within a few seconds of the 1 s body timeout");
            assertEquals(20, server.api().metrics().counter("ttsi_connections_refused_total", Metrics.labels("reason", "slow_body")));
            assertEquals(200, Http.post(server.baseUrl() + "/chat/completions", CHAT).status());
        }
    }

    @Test
    void idleConnectionsAreClosedAndConnectionsOverTheCapGet503() throws Exception {
        ServeOptions o = ServeOptions.defaults(0, "scripted").withConnections(new ConnectionLimits(Duration.ofSeconds(5), Duration.ofSeconds(1), 3));
        try (TtsiServer server = new TtsiServer(o, ScriptedModel.toolCaller(), null).start()) {
            List<Socket> idle = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                s.setSoTimeout(20_000);
                idle.add(s);
            }
            Thread.sleep(200);
            try (Socket fourth = new Socket("127.0.0.1", server.port())) {
                fourth.setSoTimeout(20_000);
                String reply = readToClose(fourth);
                assertTrue(reply.startsWith("HTTP/1.1 503") && reply.contains("too_many_connections"), reply);
            }
            for (Socket s : idle) {
                assertEquals("", readToClose(s), "an idle connection is closed without a response");
                s.close();
            }
            Thread.sleep(200);
            assertEquals(200, Http.get(server.baseUrl() + "/models").status(), "served again once the idle ones are gone");
        }
    }

    @Test
    void bodiesBeingReceivedHoldABoundedNumberOfBytesTogether() throws Exception {
        ServeOptions o = ServeOptions.defaults(0, "scripted").withConnections(new ConnectionLimits(Duration.ofSeconds(5), Duration.ofSeconds(30), 64, 20_000));
        try (TtsiServer server = new TtsiServer(o, ScriptedModel.toolCaller(), null).start()) {
            Socket first = slowBody(server.port()), second = slowBody(server.port()); // 7,000 bytes each, still coming
            Thread.sleep(300);
            Socket third = slowBody(server.port()); // would make 21,000
            String reply = readToClose(third);
            assertTrue(reply.startsWith("HTTP/1.1 503") && reply.contains("\"code\":\"server_busy\""), reply);
            assertEquals(1, server.api().metrics().counter("ttsi_connections_refused_total", Metrics.labels("reason", "buffers_full")));
            assertTrue(Http.get(server.baseUrl().replaceAll("/v1$", "") + "/metrics").body().contains("ttsi_buffered_body_bytes 14000"));
            // A small request still fits beside the two slow ones.
            assertEquals(200, Http.post(server.baseUrl() + "/chat/completions", CHAT).status());
            first.close();
            second.close();
        }
    }
}
