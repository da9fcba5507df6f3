package ttsi.bench.score;

/** Precision/recall/F1 counts. The official scripts report nothing when a count is 0; this reports 0. */
public final class Prf {
    long correct, predicted, gold;

    public double precision() {
        return predicted == 0 ? 0 : (double) correct / predicted;
    }

    public double recall() {
        return gold == 0 ? 0 : (double) correct / gold;
    }

    public double f1() {
        double p = precision(), r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public long correct() {
        return correct;
    }

    public long predicted() {
        return predicted;
    }

    public long gold() {
        return gold;
    }
}
