package ttsi.agent.model;

import java.util.List;

/** The tokens of a scored continuation and the log-probability of each given everything before it. */
public record TokenLogprobs(List<String> tokens, double[] logprobs) {
    public double sum() {
        double s = 0;
        for (double l : logprobs) s += l;
        return s;
    }
}
