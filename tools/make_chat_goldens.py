#!/usr/bin/python3
"""Writes the golden chat renderings checked by ChatTemplateGoldenTest: every chat in
engine/src/test/resources/chat/chats/ through every model's template, plus variants (fixed strftime_now date,
extra variables, add_generation_prompt). Outputs go to engine/src/test/resources/chat/golden/NAME.txt, template
errors to NAME.error ("Kind: message"), and the list of cases to engine/src/test/resources/chat/cases.tsv.
Each plain case is also rendered with ../shared/tools/render_chat.py and must agree with it.
Usage: /usr/bin/python3 tools/make_chat_goldens.py [SHARED_DIR]"""
import json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import render_chat_ref

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RES = os.path.join(ROOT, "engine", "src", "test", "resources", "chat")
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "..", "shared")
if not os.path.isdir(os.path.join(SHARED, "models")):
    SHARED = "/work/shared"

MODELS = {  # short name -> folder under shared/models
    "qwen2.5-0.5b": "Qwen2.5-0.5B-Instruct",
    "qwen2.5-1.5b": "Qwen2.5-1.5B-Instruct",
    "llama3.2-1b": "Llama-3.2-1B-Instruct",
    "qwen3-0.6b": "Qwen3-0.6B",
    "llama3.1-tok": "llama3.1-tokenizer",
}
DATE = "2025-03-14T09:26:53"
# (short model, chat, variant suffix, options)
VARIANTS = [
    ("llama3.2-1b", "plain_user", "date", {"date": DATE}),
    ("llama3.2-1b", "tools", "date", {"date": DATE}),
    ("llama3.2-1b", "system_user", "date_string", {"vars": {"date_string": "01 Jan 2030"}}),
    ("llama3.2-1b", "tools", "tools_in_system", {"vars": {"tools_in_user_message": False}}),
    ("llama3.2-1b", "tool_call_dict", "custom_tools", {"vars": {"custom_tools": [
        {"type": "function", "function": {"name": "lookup", "description": "Look up a word.",
                                          "parameters": {"type": "object", "properties": {"word": {"type": "string"}}}}}]}}),
    ("qwen3-0.6b", "plain_user", "nothink", {"vars": {"enable_thinking": False}}),
    ("qwen3-0.6b", "multi_turn", "nothink", {"vars": {"enable_thinking": False}}),
    ("qwen3-0.6b", "tools", "nothink", {"vars": {"enable_thinking": False}}),
    ("qwen3-0.6b", "reasoning", "nothink", {"vars": {"enable_thinking": False}}),
    ("qwen3-0.6b", "plain_user", "think", {"vars": {"enable_thinking": True}}),
    ("qwen3-0.6b", "reasoning_tool_flow", "gen", {"add_generation_prompt": True}),
]
for m in MODELS:
    VARIANTS.append((m, "plain_user", "nogen", {"add_generation_prompt": False}))
    VARIANTS.append((m, "multi_turn_no_gen", "gen", {"add_generation_prompt": True}))


def golden(model, chat_name, options):
    chat = json.load(open(os.path.join(RES, "chats", chat_name + ".json"), encoding="utf-8"))
    try:
        return "txt", render_chat_ref.render(os.path.join(SHARED, "models", MODELS[model]), chat,
                                             options.get("date"), options.get("vars"),
                                             options.get("add_generation_prompt"))
    except Exception as e:
        return "error", f"{type(e).__name__}: {e}"


def cross_check(model, chat_name, kind, text):
    """The shared render_chat.py must give the same text (it knows no options)."""
    tool = os.path.join(SHARED, "tools", "render_chat.py")
    if not os.path.exists(tool):
        return
    r = subprocess.run(["/usr/bin/python3", tool, os.path.join(SHARED, "models", MODELS[model]),
                        os.path.join(RES, "chats", chat_name + ".json")], capture_output=True)
    if kind == "txt" and (r.returncode != 0 or r.stdout.decode("utf-8") != text):  # bytes: keep \r\n
        raise SystemExit(f"render_chat.py disagrees on {model} {chat_name}")
    if kind == "error" and r.returncode == 0:
        raise SystemExit(f"render_chat.py renders {model} {chat_name} but the reference failed: {text}")


def main():
    chats = sorted(f[:-5] for f in os.listdir(os.path.join(RES, "chats")) if f.endswith(".json"))
    cases = [(m, c, "", {}) for m in MODELS for c in chats] + VARIANTS
    gdir = os.path.join(RES, "golden")
    os.makedirs(gdir, exist_ok=True)
    for f in os.listdir(gdir):
        os.remove(os.path.join(gdir, f))
    lines = ["# golden\tmodel folder\tchat\toptions (JSON: date = fixed strftime_now, vars, add_generation_prompt)"]
    counts = {"txt": 0, "error": 0}
    for model, chat_name, suffix, options in cases:
        name = f"{model}__{chat_name}" + (f"__{suffix}" if suffix else "")
        kind, text = golden(model, chat_name, options)
        if not options:
            cross_check(model, chat_name, kind, text)
        with open(os.path.join(gdir, f"{name}.{kind}"), "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        counts[kind] += 1
        lines.append("\t".join([name, MODELS[model], chat_name, json.dumps(options, ensure_ascii=False)]))
    with open(os.path.join(RES, "cases.tsv"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{counts['txt']} renderings and {counts['error']} errors in {gdir}")


if __name__ == "__main__":
    main()
