package ttsi.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyChunkRunsExactlyOnceManyTimesInARow() {
        try (Parallel p = new Parallel(3)) {
            for (int round = 0; round < 2000; round++) {
                int chunks = 1 + round % 7;
                AtomicIntegerArray hits = new AtomicIntegerArray(chunks);
                p.forEach(chunks, hits::incrementAndGet);
                for (int c = 0; c < chunks; c++) assertEquals(1, hits.get(c), "round " + round + " chunk " + c);
            }
        }
    }

    @Test
    void nestedCallsRunInlineAndFailuresPropagate() {
        try (Parallel p = new Parallel(2)) {
            AtomicLong sum = new AtomicLong();
            p.forEach(4, c -> p.forEach(3, d -> sum.addAndGet(c * 10 + d)));
            assertEquals(4 * 3 + 10 * (0 + 1 + 2 + 3) * 3, sum.get());
            var e = assertThrows(IllegalStateException.class, () -> p.forEach(2, c -> {
                if (c == 1) throw new IllegalStateException("boom");
            }));
            assertEquals("boom", e.getMessage());
            AtomicLong after = new AtomicLong();
            p.forRange(100, (from, to) -> after.addAndGet(to - from));
            assertEquals(100, after.get(), "the pool still works after a failure");
        }
    }

    @Test
    void concurrentCallersAreSerialised() throws Exception {
        try (Parallel p = new Parallel(2)) {
            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                Future<?>[] fs = new Future<?>[4];
                AtomicLong total = new AtomicLong();
                for (int i = 0; i < 4; i++) {
                    fs[i] = callers.submit(() -> {
                        for (int r = 0; r < 300; r++) p.forRange(1000, (from, to) -> total.addAndGet(to - from));
                    });
                }
                for (Future<?> f : fs) f.get();
                assertEquals(4L * 300 * 1000, total.get());
            } finally {
                callers.shutdownNow();
            }
        }
    }
}
