package ttsi.bench.data;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The samples of one benchmark as loaded from {@code source}, with every problem met on the way. */
public record Dataset(String name, Path source, List<Sample> samples, List<LoadIssue> issues) {
    public Dataset {
        samples = List.copyOf(samples);
        issues = List.copyOf(issues);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < samples.size(); i++) {
            Integer prev = seen.put(samples.get(i).id(), i);
            if (prev != null) {
                throw new DataFormatException(source + ": sample id '" + samples.get(i).id() + "' is used by records " + prev + " and " + i);
            }
        }
    }

    public int size() {
        return samples.size();
    }

    public Map<String, Sample> byId() {
        Map<String, Sample> m = new LinkedHashMap<>();
        for (Sample s : samples) m.put(s.id(), s);
        return m;
    }

    /** Issues that dropped a record. */
    public long skipped() {
        return issues.stream().filter(LoadIssue::skipped).count();
    }
}
