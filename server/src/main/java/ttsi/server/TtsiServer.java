package ttsi.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import ttsi.agent.json.Json;
import ttsi.agent.model.LanguageModel;

/**
 * {@code ttsi serve}'s HTTP/1.1 server on Netty. Netty keeps reading every connection while its request is being
 * answered, so a client that hangs up is noticed at once and its work cancelled (a blocking server only finds out
 * when it next writes). Requests on one connection are answered in order. Responses go out from the request's
 * own thread; Netty makes those writes safe.
 */
public final class TtsiServer implements AutoCloseable {
    private final Api api;
    private final ServeOptions options;
    private EventLoopGroup boss, workers;
    private Channel server;
    private int port;
    private final java.util.concurrent.atomic.AtomicInteger openConnections = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong bufferedBytes = new java.util.concurrent.atomic.AtomicLong();

    public TtsiServer(ServeOptions options, LanguageModel model, LanguageModel teacher) {
        this.options = options;
        this.api = new Api(options, model, teacher);
        api.metrics().gauge("ttsi_buffered_body_bytes", bufferedBytes::get);
    }

    public Api api() {
        return api;
    }

    public int port() {
        return port;
    }

    /** http://host:port/v1 */
    public String baseUrl() {
        return "http://" + options.host() + ":" + port + "/v1";
    }

    public TtsiServer start() throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(8192, 65536, 8192));
                        ch.pipeline().addLast(new ConnectionGuard(options.connections(), openConnections, bufferedBytes, api.metrics()));
                        ch.pipeline().addLast(new Aggregator(options.maxBodyBytes()));
                        ch.pipeline().addLast(new Handler());
                    }
                });
        server = b.bind(new InetSocketAddress(options.host(), options.port())).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
        return this;
    }

    /** An error answered before a request reaches the API (OpenAI's error object), after which the connection closes. */
    static DefaultFullHttpResponse closingError(ApiError e) {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(e.status()),
                Unpooled.wrappedBuffer(Json.compact(e.toJson()).getBytes(StandardCharsets.UTF_8)));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /** Graceful shutdown: stop admitting, let admitted requests finish within the grace period, cancel the rest, stop. */
    public boolean shutdown() {
        boolean clean = api.drain();
        if (server != null) server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        api.close();
        if (workers != null) workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (boss != null) boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        return clean;
    }

    @Override
    public void close() {
        shutdown();
    }

    /** Answers an oversized body in OpenAI's error shape. */
    private static final class Aggregator extends HttpObjectAggregator {
        private final int max;

        Aggregator(int max) {
            super(max);
            this.max = max;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            ctx.writeAndFlush(tooLarge()).addListener(ChannelFutureListener.CLOSE);
        }

        /** With "Expect: 100-continue" and a body over the limit, Netty answers 413 itself, with an empty body: ours instead. */
        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, io.netty.channel.ChannelPipeline pipeline) {
            Object r = super.newContinueResponse(start, maxContentLength, pipeline);
            if (r instanceof io.netty.handler.codec.http.HttpResponse resp && resp.status().code() == 413) {
                io.netty.util.ReferenceCountUtil.release(r);
                return tooLarge();
            }
            return r;
        }

        @Override
        protected boolean closeAfterContinueResponse(Object msg) {
            return msg instanceof io.netty.handler.codec.http.HttpResponse resp && resp.status().code() == 413 || super.closeAfterContinueResponse(msg);
        }

        private DefaultFullHttpResponse tooLarge() {
            return closingError(new ApiError(413, "invalid_request_error", "request_too_large", null,
                    "The request body is larger than this server's limit of " + max + " bytes."));
        }
    }

    /** One connection: requests in order, one at a time; hanging up cancels the one in progress. */
    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ArrayDeque<NettyExchange> waiting = new ArrayDeque<>();
        private NettyExchange current;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.channel().closeFuture().addListener(f -> {
                NettyExchange c;
                synchronized (this) {
                    c = current;
                    waiting.clear();
                }
                if (c != null) c.cancel().cancel("client disconnected");
            });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!req.decoderResult().isSuccess()) {
                ctx.writeAndFlush(closingError(ApiError.invalid(null, "Malformed HTTP request: " + req.decoderResult().cause())))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            NettyExchange ex = new NettyExchange(ctx.channel(), req, this);
            boolean now;
            synchronized (this) {
                now = current == null;
                if (now) current = ex;
                else waiting.add(ex);
            }
            if (now) api.handle(ex);
        }

        /** The response of ex is complete: start the next request on this connection. */
        void finished(NettyExchange ex) {
            NettyExchange next;
            synchronized (this) {
                if (current != ex) return;
                next = waiting.poll();
                current = next;
            }
            if (next != null) api.handle(next);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** An exchange over a Netty channel. */
    private static final class NettyExchange implements Exchange {
        private final Channel ch;
        private final Handler conn;
        private final String method, path, body;
        private final HttpHeaders headers;
        private final boolean keepAlive;
        private final long start = System.nanoTime();
        private final Cancel cancel = new Cancel();
        private volatile boolean started, done;
        private volatile Runnable onComplete;

        NettyExchange(Channel ch, FullHttpRequest req, Handler conn) {
            this.ch = ch;
            this.conn = conn;
            this.method = req.method().name();
            this.path = new QueryStringDecoder(req.uri()).path();
            this.headers = req.headers().copy();
            this.body = req.content().toString(StandardCharsets.UTF_8);
            this.keepAlive = HttpUtil.isKeepAlive(req);
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String header(String name) {
            return headers.get(name);
        }

        @Override
        public String body() {
            return body;
        }

        @Override
        public long startNanos() {
            return start;
        }

        @Override
        public Cancel cancel() {
            return cancel;
        }

        @Override
        public boolean started() {
            return started;
        }

        @Override
        public boolean finished() {
            return done;
        }

        @Override
        public void onComplete(Runnable r) {
            onComplete = r;
        }

        @Override
        public void respond(int status, String contentType, Map<String, String> extra, byte[] bytes) {
            if (started || done) return;
            done = started = true;
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            extra.forEach((k, v) -> r.headers().set(k, v));
            finish(r);
        }

        private void finish(Object last) {
            if (last instanceof DefaultFullHttpResponse r) {
                r.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
            }
            Runnable done = onComplete;
            ch.writeAndFlush(last).addListener(f -> {
                if (done != null) done.run();
                if (!f.isSuccess()) cancel.cancel("client disconnected");
                else if (!keepAlive) ch.close();
            });
            if (ch.eventLoop().inEventLoop()) conn.finished(this);
            else ch.eventLoop().execute(() -> conn.finished(this));
        }

        @Override
        public void startEvents(Map<String, String> extra) {
            if (started) return;
            started = true;
            DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                    .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
            extra.forEach((k, v) -> r.headers().set(k, v));
            ch.writeAndFlush(r);
        }

        @Override
        public boolean event(String data) {
            if (!ch.isActive() || done) return false;
            ch.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8))))
                    .addListener(f -> {
                        if (!f.isSuccess()) cancel.cancel("client disconnected");
                    });
            return true;
        }

        @Override
        public void endEvents() {
            if (done) return;
            done = true;
            finish(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }
}
