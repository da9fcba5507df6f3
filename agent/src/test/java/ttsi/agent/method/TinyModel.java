package ttsi.agent.method;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import ttsi.agent.backend.EmbeddedModel;
import ttsi.engine.format.SharedFolder;
import ttsi.engine.model.Model;
import ttsi.engine.model.RandomCheckpoint;
import ttsi.engine.train.LoraConfig;
import ttsi.engine.train.TrainConfig;

/**
 * Tiny random Qwen2 models for plumbing tests: {@link #create} with the real Qwen2.5 tokenizer and chat template
 * (from shared/; the test skips without it), {@link #bare} with a byte-level tokenizer and a Qwen-like template
 * written here, which needs nothing outside the checkout.
 */
final class TinyModel {
    private TinyModel() {}

    static Path shared() {
        return SharedFolder.find();
    }

    static EmbeddedModel create(Path dir) throws Exception {
        Path shared = shared();
        Assumptions.assumeTrue(shared != null, "shared/ folder not found beside the checkout; skipping");
        RandomCheckpoint.writeTiny(dir, 3, shared.resolve("models/Qwen2.5-0.5B-Instruct"));
        return new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), TrainConfig.paperDefaults().withLearningRate(1e-3));
    }

    /** A ChatML template as Qwen2.5's: the tools listed in the system turn, calls in {@code <tool_call>} blocks. */
    static final String CHAT_TEMPLATE = """
            {%- if tools %}
            {{- '<|im_start|>system\\n' }}
            {%- if messages[0].role == 'system' %}{{- messages[0].content + '\\n\\n' }}{%- endif %}
            {{- '# Tools\\n<tools>' }}
            {%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}
            {{- '\\n</tools><|im_end|>\\n' }}
            {%- elif messages[0].role == 'system' %}
            {{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}
            {%- endif %}
            {%- for message in messages %}
            {%- if message.role == 'system' and loop.first %}
            {%- elif message.role == 'assistant' and message.tool_calls %}
            {{- '<|im_start|>assistant' }}
            {%- if message.content %}{{- '\\n' + message.content }}{%- endif %}
            {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}
            {{- '\\n<tool_call>\\n{"name": "' + tool_call.name + '", "arguments": ' }}{{- tool_call.arguments | tojson }}{{- '}\\n</tool_call>' }}
            {%- endfor %}
            {{- '<|im_end|>\\n' }}
            {%- elif message.role == 'tool' %}
            {{- '<|im_start|>user\\n<tool_response>\\n' + message.content + '\\n</tool_response><|im_end|>\\n' }}
            {%- else %}
            {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}
            {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}
            """;

    /**
     * A one-layer random Qwen2 (hidden 16) over a byte-level BPE of the 256 bytes, a few merges and ChatML's special
     * tokens, with {@link #CHAT_TEMPLATE}: a real model folder written into dir, seeded (the same files every time).
     */
    static EmbeddedModel bare(Path dir, TrainConfig training) throws Exception {
        RandomCheckpoint.writeByteLevel(dir, List.of("\" ,", "\" :", "g e", "ge t", "a m", "n a", "na m", "e s"), CHAT_TEMPLATE, 7);
        return new EmbeddedModel(Model.load(dir), LoraConfig.defaults(), training);
    }
}
