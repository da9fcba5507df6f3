package ttsi.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import ttsi.engine.tensor.DType;
import ttsi.engine.format.FormatException;
import ttsi.engine.format.Safetensors;
import ttsi.engine.model.Adapter;
import ttsi.engine.model.ModelConfig;
import ttsi.engine.model.Projection;
import ttsi.engine.tensor.MatMul;
import ttsi.engine.tensor.Matrix;
import ttsi.engine.tensor.Parallel;

/**
 * A LoRA adapter: for each targeted linear layer W [out][in], trainable A [r][in] and B [out][r], so that
 * y = x·Wᵀ + scale · (x·Aᵀ)·Bᵀ. The base weights are never touched: dropping the adapter is an exact reset.
 * Saved and loaded in PEFT's format.
 */
public final class LoraAdapter implements Adapter {


    /** One adapted linear layer with its gradients. */
    public static final class Module {
        public final int layer, in, out, r;
        public final Projection projection;
        public final float[] a, b, gradA, gradB;

        Module(int layer, Projection projection, int in, int out, int r) {
            this.layer = layer;
            this.projection = projection;
            this.in = in;
            this.out = out;
            this.r = r;
            a = new float[r * in];
            b = new float[out * r];
            gradA = new float[r * in];
            gradB = new float[out * r];
        }

        /** Bᵀ [r][out]: the small-rank side on the outside, so the kernels' wide dimension is out (fast paths). */
        public float[] bTransposed() {
            float[] t = new float[r * out];
            for (int n = 0; n < out; n++) for (int j = 0; j < r; j++) t[j * out + n] = b[n * r + j];
            return t;
        }

        /** The HF module path, e.g. model.layers.0.self_attn.q_proj. */
        public String path() {
            return modulePath(layer, projection.moduleName());
        }
    }

    private final LoraConfig config;
    private final Module[][] modules; // [layer][projection], null where not targeted
    private final List<Module> all = new ArrayList<>();

    private LoraAdapter(ModelConfig model, LoraConfig config) {
        this.config = config;
        modules = new Module[model.numLayers()][Projection.values().length];
        for (int l = 0; l < model.numLayers(); l++) {
            for (String m : config.targetModules()) {
                Projection pr = Projection.ofModuleName(m);
                int[] shape = shape(model, pr);
                Module mod = new Module(l, pr, shape[1], shape[0], config.r());
                modules[l][mod.projection.ordinal()] = mod;
                all.add(mod);
            }
        }
    }

    /** [out, in] of a linear layer. */
    static int[] shape(ModelConfig c, Projection p) {
        int h = c.hiddenSize();
        return switch (p) {
            case Q -> new int[] {c.qDim(), h};
            case K, V -> new int[] {c.kvDim(), h};
            case O -> new int[] {h, c.qDim()};
            case GATE, UP -> new int[] {c.intermediateSize(), h};
            case DOWN -> new int[] {h, c.intermediateSize()};
        };
    }

    /**
     * A fresh adapter initialised as PEFT does: A ~ kaiming_uniform(a=√5), i.e. U(-1/√in, 1/√in), B = 0, so the
     * adapted model starts equal to the base model. Seeded: the same seed gives the same A.
     */
    public static LoraAdapter create(ModelConfig model, LoraConfig config) {
        LoraAdapter ad = new LoraAdapter(model, config);
        SplittableRandom rnd = new SplittableRandom(config.seed());
        for (Module m : ad.all) {
            double bound = 1.0 / Math.sqrt(m.in);
            for (int i = 0; i < m.a.length; i++) m.a[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return ad;
    }

    public LoraConfig config() {
        return config;
    }

    public float scale() {
        return config.scale();
    }

    public List<Module> modules() {
        return all;
    }

    /** The adapter of a layer's projection, or null. */
    public Module module(int layer, Projection projection) {
        return modules[layer][projection.ordinal()];
    }

    public void zeroGrad() {
        for (Module m : all) {
            java.util.Arrays.fill(m.gradA, 0f);
            java.util.Arrays.fill(m.gradB, 0f);
        }
    }

    /** A deep copy (weights only; gradients zero). */
    public LoraAdapter copy(ModelConfig model) {
        LoraAdapter c = new LoraAdapter(model, config);
        for (int i = 0; i < all.size(); i++) {
            System.arraycopy(all.get(i).a, 0, c.all.get(i).a, 0, all.get(i).a.length);
            System.arraycopy(all.get(i).b, 0, c.all.get(i).b, 0, all.get(i).b.length);
        }
        return c;
    }

    @Override
    /** Inference path: y[rows][out] += scale · (x·Aᵀ)·Bᵀ for a layer's projection; no-op if not targeted. */
    public void addDelta(Parallel p, int layer, Projection projection, float[] x, int rows, float[] y) {
        Module m = modules[layer][projection.ordinal()];
        if (m == null) return;
        float[] u = new float[rows * m.r];
        MatMul.linear(p, x, rows, Matrix.ofFloats(m.a, m.r, m.in), null, u);
        float s = config.scale();
        for (int i = 0; i < u.length; i++) u[i] *= s;
        if (rows <= FEW_ROWS) {
            // y += (s·u)·Bᵀ straight from B, the same bits as the product below: transposing B for every decoded
            // token cost more than half of the 12 ms a token the adapter took at 1.5B.
            MatMul.addLinearNarrow(u, rows, m.b, m.out, m.r, y);
            return;
        }
        // y += (s·u)·Bᵀ, with Bᵀ as an [r][out] matrix so the wide dimension is the output.
        MatMul.linearBackwardInput(p, u, rows, Matrix.ofFloats(m.bTransposed(), m.r, m.out), y, true);
    }

    /** Up to this many rows (decode) the inference path multiplies by B directly instead of a transposed copy. */
    static final int FEW_ROWS = 4;

    // ---- PEFT format ----

    static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes adapter_config.json and adapter_model.safetensors (f32) as PEFT does. */
    public void savePeft(Path dir, String baseModel) throws IOException {
        Files.createDirectories(dir);
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModel);
        c.put("r", config.r());
        c.put("lora_alpha", config.alpha());
        c.put("lora_dropout", config.dropout());
        c.put("use_rslora", config.useRslora());
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.put("use_dora", false);
        c.putNull("modules_to_save");
        c.putNull("layers_to_transform");
        c.putObject("rank_pattern");
        c.putObject("alpha_pattern");
        var tm = c.putArray("target_modules");
        config.targetModules().forEach(tm::add);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("adapter_config.json").toFile(), c);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Module m : all) {
            values.put(PREFIX + m.path() + ".lora_A.weight", m.a);
            shapes.put(PREFIX + m.path() + ".lora_A.weight", new long[] {m.r, m.in});
            values.put(PREFIX + m.path() + ".lora_B.weight", m.b);
            shapes.put(PREFIX + m.path() + ".lora_B.weight", new long[] {m.out, m.r});
        }
        Safetensors.write(dir.resolve("adapter_model.safetensors"), values, shapes, DType.F32, Map.of("format", "pt"));
    }

    /**
     * Loads a PEFT LoRA adapter folder for the given model; errors name the file, the field or tensor, and what was
     * expected. Refused: settings this engine does not implement (DoRA, trained biases, modules_to_save, per-layer
     * ranks or targets, layer replication) and adapters whose shapes or layer count do not fit the model.
     * {@code fan_in_fan_out} is accepted and ignored, as PEFT itself ignores it for the nn.Linear layers these
     * models have.
     */
    public static LoraAdapter loadPeft(Path dir, ModelConfig model) {
        if (!Files.isDirectory(dir)) {
            throw new FormatException(dir, "not a directory (expected a PEFT adapter folder with adapter_config.json and adapter_model.safetensors)");
        }
        Path cfgFile = dir.resolve("adapter_config.json"), weights = dir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(cfgFile)) throw new FormatException(cfgFile, "file not found (a PEFT adapter folder needs adapter_config.json)");
        JsonNode c;
        try {
            c = JSON.readTree(cfgFile.toFile());
        } catch (IOException e) {
            throw new FormatException(cfgFile, "not valid JSON: " + e.getMessage());
        }
        if (c == null || !c.isObject()) throw new FormatException(cfgFile, "expected a JSON object");
        if (!c.path("peft_type").asText("LORA").equals("LORA")) throw new FormatException(cfgFile, "field 'peft_type' is '" + c.path("peft_type").asText() + "': not supported (expected LORA)");
        if (c.path("use_dora").asBoolean(false)) throw new FormatException(cfgFile, "field 'use_dora' is true: DoRA adapters are not supported (expected false)");
        if (c.path("rank_pattern").size() > 0 || c.path("alpha_pattern").size() > 0) {
            throw new FormatException(cfgFile, "fields 'rank_pattern'/'alpha_pattern' are set: per-module ranks and alphas are not supported (expected {})");
        }
        if (present(c.path("layers_to_transform"))) throw new FormatException(cfgFile, "field 'layers_to_transform' is set: not supported (expected null)");
        String bias = c.path("bias").isTextual() ? c.get("bias").asText() : "none";
        if (!bias.equals("none")) {
            throw new FormatException(cfgFile, "field 'bias' is '" + bias + "': adapters that also train biases are not supported (expected \"none\")");
        }
        if (c.path("lora_bias").asBoolean(false)) throw new FormatException(cfgFile, "field 'lora_bias' is true: LoRA B layers with a bias are not supported (expected false)");
        if (present(c.path("modules_to_save"))) {
            throw new FormatException(cfgFile, "field 'modules_to_save' is " + c.get("modules_to_save")
                    + ": adapters that replace whole modules (e.g. embed_tokens, lm_head) are not supported (expected null)");
        }
        if (present(c.path("exclude_modules"))) throw new FormatException(cfgFile, "field 'exclude_modules' is set: not supported (expected null)");
        if (present(c.path("layer_replication"))) throw new FormatException(cfgFile, "field 'layer_replication' is set: not supported (expected null)");
        if (!c.path("r").canConvertToInt()) throw new FormatException(cfgFile, "field 'r' is missing or not an integer");
        if (c.has("lora_alpha") && !c.get("lora_alpha").isNumber()) throw new FormatException(cfgFile, "field 'lora_alpha' is not a number: " + c.get("lora_alpha"));
        List<String> targets = new ArrayList<>();
        JsonNode tm = c.path("target_modules");
        if (tm.isArray()) {
            tm.forEach(t -> targets.add(t.asText()));
        } else if (tm.isTextual() && tm.asText().equals("all-linear")) {
            targets.add("all-linear");
        } else if (tm.isTextual()) {
            // PEFT full-matches the regex against each module's path; this engine adapts the same modules in every layer.
            Pattern re;
            try {
                re = Pattern.compile(tm.asText());
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new FormatException(cfgFile, "field 'target_modules' is not a valid regex: " + e.getDescription() + " in '" + tm.asText() + "'");
            }
            for (String m : Projection.MODULE_NAMES) {
                int hits = 0;
                for (int l = 0; l < model.numLayers(); l++) if (re.matcher(modulePath(l, m)).matches()) hits++;
                if (hits == model.numLayers()) targets.add(m);
                else if (hits > 0) {
                    throw new FormatException(cfgFile, "field 'target_modules' (regex '" + tm.asText() + "') selects " + m + " in " + hits + " of "
                            + model.numLayers() + " layers: only adapters on the same modules in every layer are supported");
                }
            }
        } else if (tm.isMissingNode() || tm.isNull()) {
            throw new FormatException(cfgFile, "field 'target_modules' is missing");
        }
        if (targets.contains("all-linear")) {
            targets.clear();
            targets.addAll(Projection.MODULE_NAMES);
        }
        for (String t : targets) if (!Projection.MODULE_NAMES.contains(t)) throw new FormatException(cfgFile, "target module '" + t + "' is not a linear layer of this model (expected " + Projection.MODULE_NAMES + ")");
        if (targets.isEmpty()) throw new FormatException(cfgFile, "field 'target_modules' selects no linear layer of this model (expected some of " + Projection.MODULE_NAMES + ")");
        LoraConfig lc;
        try {
            lc = new LoraConfig(c.get("r").asInt(), c.path("lora_alpha").asDouble(8), c.path("lora_dropout").asDouble(0),
                    c.path("use_rslora").asBoolean(false), targets, 0);
        } catch (IllegalArgumentException e) {
            throw new FormatException(cfgFile, e.getMessage());
        }
        LoraAdapter ad = new LoraAdapter(model, lc);
        if (!Files.isRegularFile(weights)) throw new FormatException(weights, "file not found (a PEFT adapter folder needs adapter_model.safetensors)");
        String origin = c.path("base_model_name_or_path").isTextual() ? " (adapter_config.json names base model '" + c.get("base_model_name_or_path").asText() + "')" : "";
        try (Arena arena = Arena.ofConfined()) {
            Safetensors st = Safetensors.open(weights, arena);
            // An adapter for a deeper model: say so before a tensor-by-tensor complaint.
            int layers = 0;
            java.util.regex.Matcher lm = Pattern.compile("^" + Pattern.quote(PREFIX) + "model\\.layers\\.(\\d+)\\.").matcher("");
            for (String name : st.tensors().keySet()) if (lm.reset(name).find()) layers = Math.max(layers, Integer.parseInt(lm.group(1)) + 1);
            if (layers == 0) {
                throw new FormatException(weights, "has no LoRA weights named '" + PREFIX + "model.layers.N.<module>.lora_A.weight' (found "
                        + st.tensors().keySet().stream().limit(3).toList() + "): not a PEFT LoRA adapter for this kind of model");
            }
            if (layers != model.numLayers()) {
                throw new FormatException(weights, "has LoRA weights for " + layers + " layers, but the base model's config.json has num_hidden_layers "
                        + model.numLayers() + ": the adapter was made for another model" + origin);
            }
            String expect = " (from r " + lc.r() + " in adapter_config.json and the base model's config.json: hidden_size " + model.hiddenSize()
                    + ", intermediate_size " + model.intermediateSize() + ", q/kv width " + model.qDim() + "/" + model.kvDim()
                    + "): the adapter was made for another model" + origin;
            java.util.Set<String> used = new java.util.HashSet<>();
            for (Module m : ad.all) {
                used.add(read(st, weights, PREFIX + m.path() + ".lora_A.weight", m.r, m.in, m.a, expect));
                used.add(read(st, weights, PREFIX + m.path() + ".lora_B.weight", m.out, m.r, m.b, expect));
            }
            for (String name : st.tensors().keySet()) {
                if (!used.contains(name)) {
                    throw new FormatException(weights, "tensor '" + name + "' is not a LoRA weight of the modules adapter_config.json targets "
                            + targets + " (this engine reads only lora_A/lora_B of those modules)");
                }
            }
        }
        return ad;
    }

    private static boolean present(JsonNode n) {
        return !n.isMissingNode() && !n.isNull() && !(n.isContainerNode() && n.isEmpty()) && !(n.isTextual() && n.asText().isEmpty());
    }

    /** The HF path of a linear module in a layer, e.g. model.layers.0.mlp.down_proj. */
    static String modulePath(int layer, String module) {
        String block = module.equals("gate_proj") || module.equals("up_proj") || module.equals("down_proj") ? "mlp" : "self_attn";
        return "model.layers." + layer + "." + block + "." + module;
    }

    /** Reads one LoRA matrix into {@code into}; returns the tensor's name in the file. */
    private static String read(Safetensors st, Path file, String name, int rows, int cols, float[] into, String expect) {
        String found = name;
        Safetensors.Tensor t = st.tensors().get(name);
        if (t == null) {
            // PEFT also writes names with an adapter suffix ('.default'); accept them.
            found = name.replace(".weight", ".default.weight");
            t = st.tensors().get(found);
        }
        if (t == null) throw new FormatException(file, "missing tensor '" + name + "'");
        if (t.shape().length != 2 || t.shape()[0] != rows || t.shape()[1] != cols) {
            throw new FormatException(file, "tensor '" + name + "' has shape " + t.shapeString() + ", expected [" + rows + ", " + cols + "]" + expect);
        }
        float[] v = new Matrix(t.dtype(), t.data(), rows, cols).toFloats();
        System.arraycopy(v, 0, into, 0, v.length);
        return found;
    }
}
