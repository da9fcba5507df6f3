package ttsi.bench.report;

/** What each section computes, in the same words in report.md and report.html (plain text). */
final class Explain {
    private Explain() {}

    static final String ACCURACY = "Accuracy per seed = the fraction of that seed's samples that are correct under the run's scoring rule,"
            + " the same rule as the run's summary.json, metrics-seed-S.json and the accuracy 'ttsi run' prints (each run's rule is"
            + " written under its table): direct = its one greedy answer is right; majority = the majority answer of its k sampled"
            + " answers is right (ties: the earliest sampled); pass@k = any of its k sampled answers is right. A result line without"
            + " its mode's verdict (\"final_correct\" for direct and majority, \"any_correct\" for pass@k) is scored by its own"
            + " \"correct\" (listed under Problems). Shown as mean ± sample standard deviation (n − 1) over seeds;"
            + " with a single seed the std is n/a (undefined, not 0)."
            + " Uncertain = margin < the run's τ; adapted = the line's \"adapted\" flag (a LoRA update was made for the sample)."
            + " Δ vs our base = difference of mean accuracies with the base run of the same benchmark and model, in points.";

    static final String WARNINGS = "These runs were read, but their results show that something failed: a method that adapts at test time"
            + " (tt-si, tt-d, tt-si-icl, all, certain-only, random, gold-upper-bound) that adapted none of the samples it selected"
            + " (\"adapted\"; for tt-si-icl: no synthetic pair to show), or a run whose every answer is unparsable (\"parse_error\")."
            + " Their numbers are reported as recorded.";

    static final String DELTA_TITLE = "Δ vs base (95% CI, paired bootstrap over samples)";

    static final String DELTA = "Each run against its benchmark's base run (method base on the model the adapting runs use, not fine-tuned; a"
            + " base run whose model or folder is named sft is an SFT baseline and listed as a variant). Per sample: the run's verdict"
            + " under its scoring rule (as in Accuracy) averaged over its seeds minus the base's averaged over its seeds (a greedy base needs one seed)."
            + " Δ = the mean of those differences over the samples both runs have"
            + " (n), in points; 95% CI = the 2.5th and 97.5th percentiles of Δ over " + PairedBootstrap.RESAMPLES + " resamples of"
            + " the n samples with replacement, each sample with all its seeds (fixed random seed, so the report is reproducible)."
            + " Accuracy is the run's own mean ± std over seeds, over all its samples.";

    static final String PAPER = "The paper's numbers (paper.md §6) are for " + PaperNumbers.MODEL + " on Hammer's processed test sets,"
            + " mean of 5 runs, with the paper's own prompt and matching rule (neither published). Ours differ in model, prompt, scoring"
            + " rule, seeds and possibly sample count (--limit): compare directions and gaps, not absolute values.";

    static final String PAPER_POINTER = "The " + PaperNumbers.LABEL + " columns are the paper's published numbers (see below);"
            + " ours differ in model and setting.";

    static final String MARGIN = "Margin u = p(1) − p(2), the gap between the two most likely candidate tools under the relative softmax"
            + " of their scores, recorded per sample before any adaptation; a low margin means uncertain. Counts over all seeds,"
            + " 10 equal bins over [0, 1] (u = 1 falls in the last bin).";

    static final String SWEEP = "Computed from the recorded margins, without rerunning; all seeds pooled. For each τ: selected = samples"
            + " with margin < τ (the estimator's rule); accuracy of selected / unselected = this run's verdicts on each part."
            + " Simulated accuracy = this run's verdict for samples with margin < τ and the matching base run's verdict (same benchmark,"
            + " model, seed and sample, equal margins) for the rest: what this method would score had it adapted only below τ. It is"
            + " given only for τ where this run acted on every sample below τ (every τ for all and gold-upper-bound runs, τ up to the"
            + " run's own τ for tt-si), and assumes answers are reproducible per (seed, sample), as the runner's seeding makes them.";

    static final String STAGES = "Mean wall-clock seconds per sample as recorded: score (uncertainty scoring of the candidate tools),"
            + " synthesize (writing synthetic pairs), train (LoRA updates), answer (generating the answer or answers);"
            + " other = the recorded total minus those four (verdict, reset, bookkeeping).";

    static final String SAMPLES = "Every sample of every seed. Details per sample: candidate tools with scores and probabilities,"
            + " synthetic pairs, raw generations, rejections, train losses, outputs with parsed calls, final calls, gold, verdict reason.";
}
