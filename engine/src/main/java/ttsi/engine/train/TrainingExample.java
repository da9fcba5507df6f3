package ttsi.engine.train;

/** A tokenized training sequence; target[t] marks tokens the loss is taken on (the answer, as in SFT). */
public record TrainingExample(int[] tokens, boolean[] target) {
    public TrainingExample {
        if (tokens.length != target.length) throw new IllegalArgumentException("tokens and target mask differ in length");
    }

    /** Prompt tokens followed by answer tokens; the loss is on the answer only. */
    public static TrainingExample promptAndAnswer(int[] prompt, int[] answer) {
        int[] t = new int[prompt.length + answer.length];
        System.arraycopy(prompt, 0, t, 0, prompt.length);
        System.arraycopy(answer, 0, t, prompt.length, answer.length);
        boolean[] m = new boolean[t.length];
        for (int i = prompt.length; i < t.length; i++) m[i] = true;
        return new TrainingExample(t, m);
    }

    public int targetCount() {
        int n = 0;
        for (int i = 1; i < target.length; i++) if (target[i]) n++;
        return n;
    }
}
