package ttsi.bench.report;

import java.util.Locale;

/** Number formatting and escaping shared by the Markdown and HTML writers. */
final class Fmt {
    private Fmt() {}

    /** A fraction as a percentage with two decimals; "–" for NaN. */
    static String pct(double fraction) {
        return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    /** What a standard deviation over a single seed reads as: undefined, not 0. */
    static final String NA = "n/a";

    /** Mean ± sample std as percentages, "mean ± n/a" for a single seed, "–" for none. */
    static String pm(Stats.MeanStd m) {
        if (m.n() == 0) return "–";
        return pct(m.mean()) + " ± " + (m.n() < 2 || Double.isNaN(m.std()) ? NA : pct(m.std()));
    }

    static String num(double x, int decimals) {
        return Double.isNaN(x) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", x);
    }

    static String signedPoints(double fractionDelta) {
        return Double.isNaN(fractionDelta) ? "–" : String.format(Locale.ROOT, "%+.2f", 100 * fractionDelta);
    }

    /** A bootstrap interval in points, "[low, high]"; "–" when nothing was paired. */
    static String ci(PairedBootstrap.Result x) {
        return x.samples() == 0 ? "–" : "[" + signedPoints(x.low()) + ", " + signedPoints(x.high()) + "]";
    }

    /** The paired sample count. */
    static String pairedSamples(PairedBootstrap.Result x) {
        return String.valueOf(x.samples());
    }

    /** Text for HTML content and attribute values. */
    static String html(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Text for a Markdown table cell: one line, no table or inline-markup characters, no raw HTML. */
    static String md(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n', '\r', '\t' -> b.append(' ');
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '|', '\\', '`', '*', '_', '[', ']', '#' -> b.append('\\').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Cuts text to at most n characters. */
    static String cut(String s, int n) {
        if (s == null) return "";
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
