package ttsi.bench.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;

/**
 * NexusRaven's standardized queries (JSON Lines: id, dataset, prompt, python_function_name, python_args_dict,
 * positional_args, context_functions, reference_call) with the API list beside it ({@code api_list.json}, or
 * the Hugging Face export {@code standardized_api_list.jsonl}). python_args_dict may be an object or, as on the
 * Hub, a JSON string. The tools of a sample are its context functions; its group is the sub-task.
 */
public final class NexusRavenLoader implements DatasetLoader {
    private static final String[] API_FILES = {"api_list.json", "standardized_api_list.jsonl", "standardized_api_list.json"};

    @Override
    public Dataset load(String benchmark, Path file) {
        Issues issues = new Issues(file);
        Map<String, ToolSpec> apis = apis(file.resolveSibling(apiFile(file)), issues);
        List<Sample> samples = new ArrayList<>();
        for (Records.Record r : Records.read(file, issues::add)) {
            try {
                samples.add(sample(benchmark, r, apis));
            } catch (IllegalArgumentException e) {
                issues.skip(r.where(), Issues.message(e));
            }
        }
        return new Dataset(benchmark, file, samples, issues.list);
    }

    private static String apiFile(Path file) {
        for (String f : API_FILES) if (Files.exists(file.resolveSibling(f))) return f;
        throw new DataFormatException("NexusRaven's API list is missing: expected " + String.join(" or ", API_FILES) + " beside " + file);
    }

    private static Map<String, ToolSpec> apis(Path f, Issues issues) {
        Map<String, ToolSpec> out = new LinkedHashMap<>();
        for (Records.Record r : Records.read(f, issues::add)) {
            try {
                JsonNode n = r.node();
                if (n.path("args").isTextual()) { // the Hub stores the argument list as JSON text
                    ObjectNode copy = n.deepCopy();
                    copy.set("args", Json.parse(n.get("args").textValue()));
                    n = copy;
                }
                n = inSignatureOrder(n);
                ToolSpec t = ToolSpec.fromJson(n);
                if (out.put(t.name(), t) != null) issues.add(new LoadIssue(f, r.where(), "API " + t.name() + " defined twice; the later one is used", false));
            } catch (IllegalArgumentException e) {
                issues.add(new LoadIssue(f, r.where(), Issues.message(e), true));
            }
        }
        return out;
    }

    /** Orders args as the Python signature does, so that positional arguments bind as upstream. */
    private static JsonNode inSignatureOrder(JsonNode n) {
        JsonNode order = n.get("signature_params");
        if (order == null || !order.isArray()) return n;
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        n.get("args").forEach(a -> byName.put(a.path("name").asText(), a));
        var args = Json.array();
        order.forEach(o -> {
            JsonNode a = byName.remove(o.asText());
            if (a != null) args.add(a);
        });
        byName.values().forEach(args::add);
        ObjectNode copy = n.deepCopy();
        copy.set("args", args);
        return copy;
    }

    /** JSON text, or a Python literal (the upstream scripts print dicts with str()). */
    private static JsonNode parseText(String t) {
        JsonNode n = Json.tryParse(t);
        if (n == null) n = ttsi.agent.tools.PyLiteral.tryParse(t);
        if (n == null) throw new IllegalArgumentException("not JSON or a Python literal: " + (t.length() > 60 ? t.substring(0, 60) + "..." : t));
        return n;
    }

    private static Sample sample(String benchmark, Records.Record r, Map<String, ToolSpec> apis) {
        JsonNode n = r.node();
        for (String k : new String[] {"prompt", "python_function_name", "python_args_dict", "context_functions"}) {
            if (!n.has(k)) throw new IllegalArgumentException("missing \"" + k + "\"");
        }
        String id = n.path("id").asText(benchmark + "_" + r.index());
        List<ToolSpec> tools = new ArrayList<>();
        JsonNode context = n.get("context_functions");
        if (context.isTextual()) context = parseText(context.textValue()); // the Hub may store lists as text
        if (!context.isArray()) throw new IllegalArgumentException("context_functions must be a list");
        for (JsonNode c : context) {
            ToolSpec t = apis.get(c.asText());
            if (t == null) throw new IllegalArgumentException("context function " + c.asText() + " is not in the API list");
            tools.add(t);
        }
        String fn = n.get("python_function_name").asText();
        JsonNode args = n.get("python_args_dict");
        if (args.isTextual()) args = parseText(args.textValue());
        if (!args.isObject()) throw new IllegalArgumentException("python_args_dict must be an object");
        ObjectNode bound = Json.object();
        JsonNode positional = n.get("positional_args");
        if (positional != null && positional.isTextual()) positional = parseText(positional.textValue());
        if (positional != null && positional.isArray() && !positional.isEmpty()) {
            ToolSpec t = apis.get(fn);
            if (t == null) throw new IllegalArgumentException("gold function " + fn + " is not in the API list");
            List<String> names = t.parameterNames();
            if (positional.size() > names.size()) throw new IllegalArgumentException("more positional arguments than " + fn + " takes");
            for (int i = 0; i < positional.size(); i++) bound.set(names.get(i), positional.get(i));
        }
        bound.setAll((ObjectNode) args);
        ObjectNode raw = Json.object();
        raw.put("python_function_name", fn);
        raw.set("python_args_dict", args);
        raw.set("reference_call", n.get("reference_call"));
        ObjectNode meta = Json.object();
        meta.put("group", n.path("dataset").asText("nexusraven"));
        meta.put("index", r.index());
        return new Sample(id, benchmark, List.of(Message.user(n.get("prompt").asText())), tools,
                List.of(new ToolCall(fn, bound)), raw, meta);
    }
}
