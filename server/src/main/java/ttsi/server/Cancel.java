package ttsi.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A request's cancellation: set once (client gone, timeout, shutdown); work checks it between and within steps. */
public final class Cancel {
    /** Thrown where cancelled work stops. */
    public static final class Cancelled extends RuntimeException {
        public final String reason;

        public Cancelled(String reason) {
            super("cancelled: " + reason, null, false, false);
            this.reason = reason;
        }
    }

    private final AtomicReference<String> reason = new AtomicReference<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** Cancels (the first reason wins) and runs the listeners. */
    public void cancel(String why) {
        if (reason.compareAndSet(null, why)) for (Runnable r : listeners) r.run();
    }

    public boolean cancelled() {
        return reason.get() != null;
    }

    public String reason() {
        return reason.get();
    }

    public void check() {
        String r = reason.get();
        if (r != null) throw new Cancelled(r);
    }

    /** Runs r on cancellation (at once if already cancelled); the returned handle removes it. */
    public Runnable onCancel(Runnable r) {
        listeners.add(r);
        if (cancelled()) r.run();
        return () -> listeners.remove(r);
    }
}
