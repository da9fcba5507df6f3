package ttsi.cli;

/**
 * The one place where numeric command-line options are checked: each check names the option, the range it expects
 * and what it got. A NaN or out-of-range value otherwise runs on and silently changes the method (a τ of NaN flags
 * no input as uncertain, so TT-SI behaves like the base model) or saves a NaN adapter.
 */
final class OptionChecks {
    private OptionChecks() {}

    /** lo <= v <= hi, and not NaN. */
    static double inRange(String option, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) throw new IllegalArgumentException(option + " must be in [" + fmt(lo) + ", " + fmt(hi) + "], got " + v);
        return v;
    }

    /** A finite number > 0. */
    static double positive(String option, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(option + " must be a number > 0, got " + v);
        return v;
    }

    /** A finite number >= 0. */
    static double nonNegative(String option, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(option + " must be a number >= 0, got " + v);
        return v;
    }

    /** An integer in [lo, hi]. */
    static int inRange(String option, int v, int lo, int hi) {
        if (v < lo || v > hi) throw new IllegalArgumentException(option + " must be in [" + lo + ", " + hi + "], got " + v);
        return v;
    }

    /** An integer >= min. */
    static int atLeast(String option, int v, int min) {
        if (v < min) throw new IllegalArgumentException(option + " must be >= " + min + ", got " + v);
        return v;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
