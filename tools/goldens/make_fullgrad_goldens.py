#!/usr/bin/python3
"""Full-parameter gradient goldens: loss and dL/dW of every weight of a few golden fixtures.

Uses the independent PyTorch reference /work/shared/tools/torch_ref.py (its loader and Decoder, with
requires_grad on the weights themselves); nothing here depends on the Java code.

  /usr/bin/python3 tools/goldens/make_fullgrad_goldens.py [--out engine/src/test/resources]

Reads <out>/golden/<fixture>/{config.json, model.safetensors, golden.json} (tokens and prompt_len) and writes
<out>/fullgrad/<fixture>.json. Same loss recipe as torch_ref loragrad: forward(tokens[:-1]), mean cross-entropy
of logits[P-1:] against tokens[P:]. Deterministic for a given torch version.
"""
import argparse, json, os, sys

sys.path.insert(0, os.environ.get("TORCH_REF_DIR", "/work/shared/tools"))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch_ref as R  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_goldens import SIG, rnd, dump  # noqa: E402  (one rounding and one JSON layout for all goldens)

FIXTURES = ["qwen2-tied-bias", "llama-untied", "qwen3-qknorm"]


def fullgrad(d):
    cfg, w = R.load_dir(d)
    g = json.load(open(os.path.join(d, "golden.json")))
    toks = torch.tensor(g["tokens"])
    P = g["lora"]["prompt_len"]
    w = {k: v.float().clone().requires_grad_() for k, v in w.items()}
    logits, _ = R.Decoder(cfg, w).forward(toks[:-1])
    loss = F.cross_entropy(logits[P - 1:], toks[P:])
    loss.backward()
    L = cfg["num_hidden_layers"]
    # Full tensors for the embedding (scatter-add, plus the LM head when tied), the LM head, one norm weight per
    # kind, one bias and one small projection; norms for everything.
    keep = ["model.embed_tokens.weight", "lm_head.weight", "model.norm.weight",
            "model.layers.0.input_layernorm.weight", f"model.layers.{L - 1}.post_attention_layernorm.weight",
            "model.layers.0.self_attn.k_proj.weight", f"model.layers.{L - 1}.self_attn.v_proj.bias",
            "model.layers.0.self_attn.q_norm.weight", f"model.layers.{L - 1}.self_attn.k_norm.weight"]
    return {
        "fixture": os.path.basename(d),
        "reference": {"tool": "tools/goldens/make_fullgrad_goldens.py (torch_ref.Decoder, requires_grad on weights)",
                      "torch": torch.__version__, "compute": "float32", "significant_digits": SIG},
        "tied": "lm_head.weight" not in w,
        "tokens": g["tokens"],
        "prompt_len": P,
        "loss": loss.item(),
        "grad_norm": {k: v.grad.norm().item() for k, v in w.items()},
        "grads": {k: rnd(w[k].grad) for k in keep if k in w},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="engine/src/test/resources")
    a = ap.parse_args()
    torch.set_num_threads(1)
    od = os.path.join(a.out, "fullgrad")
    os.makedirs(od, exist_ok=True)
    for name in FIXTURES:
        r = fullgrad(os.path.join(a.out, "golden", name))
        path = os.path.join(od, name + ".json")
        with open(path, "w") as f:
            f.write(dump(r) + "\n")
        print(name, "loss", r["loss"], "tensors", len(r["grad_norm"]), "bytes", os.path.getsize(path), flush=True)


if __name__ == "__main__":
    main()
