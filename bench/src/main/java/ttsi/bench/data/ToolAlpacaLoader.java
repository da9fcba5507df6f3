package ttsi.bench.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.PyLiteral;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;

/**
 * ToolAlpaca's evaluation sets ({@code eval_real.json}, {@code eval_simulated.json}): a JSON array of APIs, each
 * with Function_Description ("text\nParameters: {json}\nOutput: ...", a parameter written as
 * "Required. string. text"), Instructions and Golden_Answers (lists of {Action, Action_Input as JSON text}).
 * One sample per instruction; its tools are all functions of its API (the "components" entry, which only
 * documents output formats, goes to meta). Some gold inputs are not JSON (a key written twice, placeholders
 * such as {@code ${id from search}}); they are repaired and reported, the placeholder kept as text.
 */
public final class ToolAlpacaLoader implements DatasetLoader {
    private static final Pattern DOUBLED_KEY = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"\\1\"\\s*:");
    private static final Pattern PLACEHOLDER = Pattern.compile("(?<![\"\\w])\\$\\{([^{}]*)}\"?");
    /** A placeholder whose closing brace is missing: it runs into the next key. */
    private static final Pattern UNCLOSED = Pattern.compile("(?<![\"\\w])\\$\\{([^{},\"]*)(?=,\\s*\")");

    @Override
    public Dataset load(String benchmark, Path file) {
        Issues issues = new Issues(file);
        List<Sample> samples = new ArrayList<>();
        int sampleIndex = 0;
        for (Records.Record r : Records.read(file, issues::add)) {
            JsonNode api = r.node();
            String apiName = api.path("Name").asText("api " + r.index());
            List<ToolSpec> tools;
            String formats;
            try {
                if (!api.path("Function_Description").isObject()) throw new IllegalArgumentException("no Function_Description object");
                if (!api.path("Instructions").isArray() || !api.path("Golden_Answers").isArray()) {
                    throw new IllegalArgumentException("Instructions and Golden_Answers must be lists");
                }
                tools = new ArrayList<>();
                formats = functions(api.get("Function_Description"), tools);
            } catch (IllegalArgumentException e) {
                issues.skip(r.where() + " (" + apiName + ")", Issues.message(e) + "; all its instructions are skipped");
                continue;
            }
            JsonNode instructions = api.get("Instructions");
            JsonNode answers = api.get("Golden_Answers");
            if (instructions.size() != answers.size()) {
                issues.kept(r.where() + " (" + apiName + ")", instructions.size() + " instructions but " + answers.size()
                        + " golden answers; the extra ones are skipped");
            }
            for (int i = 0; i < Math.min(instructions.size(), answers.size()); i++) {
                String where = r.where() + " (" + apiName + ") instruction " + i;
                int index = sampleIndex++;
                try {
                    List<ToolCall> gold = new ArrayList<>();
                    JsonNode steps = answers.get(i);
                    if (!steps.isArray()) throw new IllegalArgumentException("golden answer is not a list");
                    for (JsonNode step : steps) gold.add(step(step, where, issues));
                    ObjectNode meta = Json.object();
                    meta.put("index", index);
                    meta.put("api", apiName);
                    meta.put("instruction_index", i);
                    if (!formats.isEmpty()) meta.put("output_formats", formats);
                    samples.add(new Sample(benchmark + "_" + index, benchmark, List.of(Message.user(instructions.get(i).asText())),
                            tools, gold, steps, meta));
                } catch (IllegalArgumentException e) {
                    issues.skip(where, Issues.message(e));
                }
            }
        }
        return new Dataset(benchmark, file, samples, issues.list);
    }

    /** Adds one ToolSpec per function; returns the "components" text (output formats), or "". */
    static String functions(JsonNode descriptions, List<ToolSpec> out) {
        String formats = "";
        for (Iterator<Map.Entry<String, JsonNode>> it = descriptions.fields(); it.hasNext(); ) {
            var e = it.next();
            String text = e.getValue().asText("");
            if (e.getKey().equals("components")) {
                formats = text;
                continue;
            }
            out.add(function(e.getKey(), text));
        }
        return formats;
    }

    static ToolSpec function(String name, String text) {
        int p = text.startsWith("Parameters: ") ? 0 : text.indexOf("\nParameters: ");
        if (p < 0) throw new IllegalArgumentException("function " + name + " has no \"Parameters:\" line");
        String description = text.substring(0, p).strip();
        int start = text.indexOf("Parameters: ", p) + "Parameters: ".length();
        int end = text.indexOf("\nOutput:", start);
        String paramsText = (end < 0 ? text.substring(start) : text.substring(start, end)).strip();
        JsonNode params;
        try {
            params = Json.parse(paramsText);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("parameters of " + name + " are not JSON: " + ex.getMessage(), ex);
        }
        ObjectNode props = Json.object();
        ArrayNode required = Json.array();
        for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
            var e = it.next();
            String[] parts = e.getValue().asText("").split("\\. ", -1);
            int k = 0;
            boolean req = false;
            if (parts.length > 1 && (parts[0].equalsIgnoreCase("Required") || parts[0].equalsIgnoreCase("Optional"))) {
                req = parts[0].equalsIgnoreCase("Required");
                k = 1;
            }
            ObjectNode prop = Json.object();
            String type = k < parts.length ? parts[k].strip().replaceFirst("\\.$", "") : "";
            if (!type.isEmpty() && !type.contains(" ")) {
                prop.put("type", type);
                k++;
            }
            prop.put("description", k < parts.length ? String.join(". ", java.util.Arrays.copyOfRange(parts, k, parts.length)).strip() : "");
            props.set(e.getKey(), prop);
            if (req) required.add(e.getKey());
        }
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        schema.set("properties", props);
        schema.set("required", required);
        return new ToolSpec(name, description, schema, Json.NODES.textNode(text));
    }

    private static ToolCall step(JsonNode step, String where, Issues issues) {
        if (!step.path("Action").isTextual()) throw new IllegalArgumentException("a golden step has no Action");
        String name = step.get("Action").asText();
        JsonNode input = step.get("Action_Input");
        if (input == null || input.isNull()) return ToolCall.of(name);
        if (input.isObject()) return new ToolCall(name, (ObjectNode) input);
        String text = input.asText().strip();
        JsonNode args = text.isEmpty() ? Json.object() : Json.tryParse(text);
        if (args == null) {
            args = repair(text);
            if (args == null) throw new IllegalArgumentException("Action_Input of " + name + " is not JSON and could not be repaired: " + text);
            issues.kept(where, "Action_Input of " + name + " repaired: " + text + " -> " + Json.dumps(args));
        }
        if (!args.isObject()) throw new IllegalArgumentException("Action_Input of " + name + " is not an object: " + text);
        return new ToolCall(name, (ObjectNode) args);
    }

    /** Fixes the defects of the gold inputs: "k": "k": value, and unquoted (even unclosed) ${...} placeholders. */
    static JsonNode repair(String text) {
        String t = DOUBLED_KEY.matcher(text).replaceAll("\"$1\":");
        t = UNCLOSED.matcher(t).replaceAll("\\${$1}");
        Matcher m = PLACEHOLDER.matcher(t);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            StringBuilder q = new StringBuilder();
            q.append('"').append(("${" + m.group(1) + "}").replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            m.appendReplacement(sb, Matcher.quoteReplacement(q.toString()));
        }
        m.appendTail(sb);
        t = sb.toString();
        JsonNode n = Json.tryParse(t);
        if (n == null) n = PyLiteral.tryParse(t);
        return n;
    }
}
