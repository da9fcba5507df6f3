package ttsi.jinja;

import java.time.LocalDateTime;
import java.time.temporal.IsoFields;

/**
 * Python's {@code datetime.strftime} in the C locale for a naive local time (as transformers' {@code strftime_now}
 * gets from {@code datetime.now()}), including glibc's {@code %-d}-style no-padding flag.
 */
public final class Strftime {
    private Strftime() {}

    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
            "Sunday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July",
            "August", "September", "October", "November", "December"};

    public static String format(String fmt, LocalDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                sb.append(c);
                continue;
            }
            char d = fmt.charAt(++i);
            boolean noPad = false;
            if (d == '-' && i + 1 < fmt.length()) {
                noPad = true;
                d = fmt.charAt(++i);
            }
            String day = DAYS[t.getDayOfWeek().getValue() - 1], month = MONTHS[t.getMonthValue() - 1];
            int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
            String v = switch (d) {
                case 'a' -> day.substring(0, 3);
                case 'A' -> day;
                case 'b', 'h' -> month.substring(0, 3);
                case 'B' -> month;
                case 'd' -> num(t.getDayOfMonth(), 2, noPad);
                case 'e' -> noPad ? String.valueOf(t.getDayOfMonth()) : String.format("%2d", t.getDayOfMonth());
                case 'm' -> num(t.getMonthValue(), 2, noPad);
                case 'y' -> num(t.getYear() % 100, 2, noPad);
                case 'Y' -> String.valueOf(t.getYear());
                case 'C' -> num(t.getYear() / 100, 2, noPad);
                case 'H' -> num(t.getHour(), 2, noPad);
                case 'I' -> num(hour12, 2, noPad);
                case 'M' -> num(t.getMinute(), 2, noPad);
                case 'S' -> num(t.getSecond(), 2, noPad);
                case 'f' -> String.format("%06d", t.getNano() / 1000);
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'j' -> num(t.getDayOfYear(), 3, noPad);
                case 'u' -> String.valueOf(t.getDayOfWeek().getValue());
                case 'w' -> String.valueOf(t.getDayOfWeek().getValue() % 7);
                case 'U' -> num((t.getDayOfYear() + 6 - t.getDayOfWeek().getValue() % 7) / 7, 2, noPad);
                case 'W' -> num((t.getDayOfYear() + 6 - (t.getDayOfWeek().getValue() + 6) % 7) / 7, 2, noPad);
                case 'V' -> num(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, noPad);
                case 'G' -> String.valueOf(t.get(IsoFields.WEEK_BASED_YEAR));
                case 'D' -> format("%m/%d/%y", t);
                case 'F' -> format("%Y-%m-%d", t);
                case 'T' -> format("%H:%M:%S", t);
                case 'R' -> format("%H:%M", t);
                case 'r' -> format("%I:%M:%S %p", t);
                case 'c' -> format("%a %b %e %H:%M:%S %Y", t);
                case 'x' -> format("%m/%d/%y", t);
                case 'X' -> format("%H:%M:%S", t);
                case 'z', 'Z' -> ""; // naive datetime: no zone
                case 'n' -> "\n";
                case 't' -> "\t";
                case '%' -> "%";
                default -> "%" + (noPad ? "-" : "") + d;
            };
            sb.append(v);
        }
        return sb.toString();
    }

    private static String num(int v, int width, boolean noPad) {
        String s = String.valueOf(v);
        return noPad || s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

}
