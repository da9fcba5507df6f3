package ttsi.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Enforces {@link ConnectionLimits} on one connection (between the HTTP codec and the body aggregator): slow bodies get
 * 408, idle connections are closed, connections over the cap get 503. A connection waiting for its response (a long
 * adaptation) is neither idle nor slow.
 */
final class ConnectionGuard extends ChannelDuplexHandler {
    private final ConnectionLimits limits;
    private final AtomicInteger open;
    private final java.util.concurrent.atomic.AtomicLong buffered; // bytes of bodies being received, all connections
    private long mine; // this connection's share of buffered
    private final Metrics metrics;
    private ScheduledFuture<?> bodyDeadline, idleDeadline;
    private int awaitingResponse; // requests fully read whose response has not ended
    private boolean readingBody, counted, refused;

    ConnectionGuard(ConnectionLimits limits, AtomicInteger open, java.util.concurrent.atomic.AtomicLong buffered, Metrics metrics) {
        this.limits = limits;
        this.open = open;
        this.buffered = buffered;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        counted = true;
        if (open.incrementAndGet() > limits.maxConnections()) {
            refused = true;
            metrics.inc("ttsi_connections_refused_total", Metrics.labels("reason", "too_many"));
            refuse(ctx, new ApiError(503, "server_error", "too_many_connections", null,
                    "The server has " + limits.maxConnections() + " connections open, its limit; retry later."));
            return;
        }
        scheduleIdle(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (counted) open.decrementAndGet();
        counted = false;
        releaseBuffered();
        cancel(bodyDeadline);
        cancel(idleDeadline);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        cancel(idleDeadline);
        if (msg instanceof HttpRequest && !(msg instanceof LastHttpContent)) {
            readingBody = true;
            bodyDeadline = ctx.executor().schedule(() -> {
                if (!readingBody || !ctx.channel().isActive()) return;
                refused = true; // what is still to come of this body is dropped
                metrics.inc("ttsi_connections_refused_total", Metrics.labels("reason", "slow_body"));
                refuse(ctx, new ApiError(408, "invalid_request_error", "request_timeout", null,
                        "The request body did not arrive within " + limits.bodyTimeout().toMillis() / 1000.0 + " s of its headers."));
            }, limits.bodyTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (msg instanceof io.netty.handler.codec.http.HttpContent c && readingBody) {
            int n = c.content().readableBytes();
            mine += n;
            if (buffered.addAndGet(n) > limits.maxBufferedBytes()) {
                ReferenceCountUtil.release(msg);
                refused = true;
                releaseBuffered();
                metrics.inc("ttsi_connections_refused_total", Metrics.labels("reason", "buffers_full"));
                refuse(ctx, new ApiError(503, "server_error", "server_busy", null,
                        "The server is receiving too many request bodies at once (" + limits.maxBufferedBytes() + " bytes); retry later."));
                return;
            }
        }
        if (msg instanceof LastHttpContent) {
            releaseBuffered();
            readingBody = false;
            cancel(bodyDeadline);
            awaitingResponse++;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean ends = msg instanceof LastHttpContent;
        super.write(ctx, msg, promise);
        if (ends && awaitingResponse > 0 && --awaitingResponse == 0 && !readingBody) scheduleIdle(ctx);
    }

    private void scheduleIdle(ChannelHandlerContext ctx) {
        cancel(idleDeadline);
        idleDeadline = ctx.executor().schedule(() -> {
            if (awaitingResponse == 0 && !readingBody) ctx.close();
        }, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void releaseBuffered() {
        buffered.addAndGet(-mine);
        mine = 0;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) f.cancel(false);
    }

    private static void refuse(ChannelHandlerContext ctx, ApiError e) {
        ctx.writeAndFlush(TtsiServer.closingError(e)).addListener(ChannelFutureListener.CLOSE);
    }
}
