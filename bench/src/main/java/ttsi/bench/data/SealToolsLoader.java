package ttsi.bench.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ttsi.agent.json.Json;
import ttsi.agent.tools.Message;
import ttsi.agent.tools.PyLiteral;
import ttsi.agent.tools.ToolCall;
import ttsi.agent.tools.ToolSpec;

/**
 * Seal-Tools' official test files ({@code test_in_domain.jsonl}, {@code test_out_domain.jsonl}): JSON Lines of
 * {id, query, calling: [{api, parameters, responses}]}. The candidate tools are those of the official prompt
 * ({@code dataset_for_finetune/<same name>.json}, whose api_list is a Python literal); without that file they
 * are the gold APIs looked up in {@code tool.jsonl}. Values "API_call_k" refer to an earlier call's output and
 * are kept as text. The group is the id's domain and difficulty ("in_domain-easy").
 */
public final class SealToolsLoader implements DatasetLoader {
    @Override
    public Dataset load(String benchmark, Path file) {
        Issues issues = new Issues(file);
        String stem = file.getFileName().toString().replaceFirst("\\.jsonl?$", "");
        Path prompts = file.resolveSibling("dataset_for_finetune").resolve(stem + ".json");
        Map<String, List<ToolSpec>> candidates = Files.exists(prompts) ? candidates(prompts, issues) : Map.of();
        Map<String, ToolSpec> catalogue = null;
        if (!Files.exists(prompts)) {
            issues.kept("file", "official prompts " + prompts + " not found; each sample's tools are its gold APIs from tool.jsonl");
            catalogue = catalogue(file.resolveSibling("tool.jsonl"), issues);
        }
        List<Sample> samples = new ArrayList<>();
        for (Records.Record r : Records.read(file, issues::add)) {
            try {
                samples.add(sample(benchmark, r, candidates, catalogue));
            } catch (IllegalArgumentException e) {
                issues.skip(r.where(), Issues.message(e));
            }
        }
        return new Dataset(benchmark, file, samples, issues.list);
    }

    private static Sample sample(String benchmark, Records.Record r, Map<String, List<ToolSpec>> candidates, Map<String, ToolSpec> catalogue) {
        JsonNode n = r.node();
        for (String k : new String[] {"id", "query", "calling"}) {
            if (!n.has(k)) throw new IllegalArgumentException("missing \"" + k + "\"");
        }
        String id = n.get("id").asText();
        List<ToolCall> gold = new ArrayList<>();
        JsonNode calling = n.get("calling");
        if (!calling.isArray()) throw new IllegalArgumentException("\"calling\" must be a list");
        for (int i = 0; i < calling.size(); i++) {
            JsonNode c = calling.get(i);
            if (!c.path("api").isTextual()) throw new IllegalArgumentException("call " + i + " has no \"api\" name");
            JsonNode p = c.path("parameters");
            if (!p.isObject()) throw new IllegalArgumentException("call " + i + ": \"parameters\" must be an object");
            gold.add(new ToolCall(c.get("api").asText(), (ObjectNode) p));
        }
        List<ToolSpec> tools;
        if (catalogue == null) {
            tools = candidates.get(id);
            if (tools == null) throw new IllegalArgumentException("no official prompt with id " + id + " in dataset_for_finetune");
        } else {
            Set<String> names = new LinkedHashSet<>();
            gold.forEach(g -> names.add(g.name()));
            tools = new ArrayList<>();
            for (String name : names) {
                ToolSpec t = catalogue.get(name);
                if (t == null) throw new IllegalArgumentException("gold API " + name + " is not in tool.jsonl");
                tools.add(t);
            }
        }
        ObjectNode meta = Json.object();
        meta.put("index", r.index());
        String[] parts = id.replaceFirst("^test_", "").split("-");
        if (parts.length >= 2) {
            meta.put("group", parts[0] + "-" + parts[1]);
            meta.put("domain", parts[0]);
            meta.put("difficulty", parts[1]);
        }
        Set<String> offered = new LinkedHashSet<>();
        tools.forEach(t -> offered.add(t.name()));
        boolean missing = gold.stream().anyMatch(g -> !offered.contains(g.name()));
        if (missing) meta.put("gold_tool_not_offered", true); // 5 official prompts lack a gold tool
        return new Sample(id, benchmark, List.of(Message.user(n.get("query").asText())), tools, gold, calling, meta);
    }

    /** id -> the tools listed in that item's official prompt. */
    private static Map<String, List<ToolSpec>> candidates(Path prompts, Issues issues) {
        Map<String, List<ToolSpec>> out = new HashMap<>();
        for (Records.Record r : Records.read(prompts, issues::add)) {
            String id = r.node().path("id").asText(null);
            String text = r.node().at("/conversations/0/value").asText("");
            int a = text.indexOf("api_list = ");
            int b = text.indexOf("\ntask_instruction = ", a);
            if (id == null || a < 0 || b < 0) {
                issues.add(new LoadIssue(prompts, r.where(), "no id or no api_list in the prompt", true));
                continue;
            }
            try {
                JsonNode list = PyLiteral.parse(text.substring(a + "api_list = ".length(), b).strip());
                List<ToolSpec> tools = new ArrayList<>();
                for (JsonNode t : list) tools.add(ToolSpec.fromJson(t));
                out.put(id, tools);
            } catch (IllegalArgumentException e) {
                issues.add(new LoadIssue(prompts, r.where(), "api_list: " + Issues.message(e), true));
            }
        }
        return out;
    }

    private static Map<String, ToolSpec> catalogue(Path tools, Issues issues) {
        Map<String, ToolSpec> out = new HashMap<>();
        if (!Files.exists(tools)) {
            issues.kept("file", tools + " not found either; samples cannot get tools");
            return out;
        }
        for (Records.Record r : Records.read(tools, issues::add)) {
            try {
                ToolSpec t = ToolSpec.fromJson(r.node());
                out.putIfAbsent(t.name(), t);
            } catch (IllegalArgumentException e) {
                issues.add(new LoadIssue(tools, r.where(), Issues.message(e), true));
            }
        }
        return out;
    }
}
