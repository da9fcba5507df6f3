#!/usr/bin/python3
"""Reference renderer for chat templates, configured as Hugging Face transformers' apply_chat_template does
(jinja2 ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, transformers' tojson,
raise_exception, messages/tools/documents/add_generation_prompt and the special tokens).
It extends ../shared/tools/render_chat.py with a fixed strftime_now date and extra template variables.

Usage: render_chat_ref.py MODEL_DIR CHAT.json [--date 2025-03-14T09:26:53] [--var NAME=JSON ...]
       [--add-generation-prompt true|false]
Without --date, strftime_now is left undefined (as render_chat.py does). On a template error it prints
"KIND: message" to stdout and exits with status 3."""
import argparse, datetime, json, os, sys
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols
from jinja2.exceptions import TemplateError


def raise_exception(msg):
    raise TemplateError(msg)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def load_template(model):
    cfg = json.load(open(os.path.join(model, "tokenizer_config.json"), encoding="utf-8"))
    tpl = cfg.get("chat_template")
    jf = os.path.join(model, "chat_template.jinja")
    if os.path.exists(jf):  # transformers: the file clobbers the config's template (render_chat.py: config first)
        tpl = open(jf, encoding="utf-8").read()
    special = {k: (v["content"] if isinstance(v, dict) else v) for k, v in cfg.items()
               if k.endswith("_token") and (isinstance(v, str) or (isinstance(v, dict) and "content" in v))}
    extra = cfg.get("extra_special_tokens")
    if isinstance(extra, dict):  # named extra tokens (a list is just more special tokens, without names)
        for k, v in extra.items():
            special[k] = v["content"] if isinstance(v, dict) else v
    return tpl, special


def render(model, chat, date=None, variables=None, add_generation_prompt=None):
    """Returns the rendering; raises on template errors."""
    tpl, special = load_template(model)
    tools = chat.get("tools")
    if isinstance(tpl, list):
        named = {t["name"]: t["template"] for t in tpl}
        tpl = named["tool_use"] if tools is not None and "tool_use" in named else named["default"]
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    if date is not None:
        fixed = datetime.datetime.fromisoformat(date)
        env.globals["strftime_now"] = lambda fmt: fixed.strftime(fmt)
    if tools:
        tools = [t if "type" in t else {"type": "function", "function": t} for t in tools]
    agp = chat.get("add_generation_prompt", True) if add_generation_prompt is None else add_generation_prompt
    kwargs = dict(special)
    kwargs.update(variables or {})
    return env.from_string(tpl).render(messages=chat["messages"], tools=tools, documents=None,
                                       add_generation_prompt=agp, **kwargs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("chat")
    ap.add_argument("--date")
    ap.add_argument("--var", action="append", default=[])
    ap.add_argument("--add-generation-prompt", choices=["true", "false"])
    a = ap.parse_args()
    variables = {}
    for v in a.var:
        name, _, value = v.partition("=")
        variables[name] = json.loads(value)
    agp = None if a.add_generation_prompt is None else a.add_generation_prompt == "true"
    chat = json.load(open(a.chat, encoding="utf-8"))
    try:
        out = render(a.model, chat, a.date, variables, agp)
    except Exception as e:
        sys.stdout.write(f"{type(e).__name__}: {e}")
        sys.exit(3)
    sys.stdout.write(out)


if __name__ == "__main__":
    main()
