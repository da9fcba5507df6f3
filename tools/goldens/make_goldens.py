#!/usr/bin/python3
"""Writes the golden reference fixtures for the engine's correctness tests.

Uses the independent PyTorch reference /work/shared/tools/torch_ref.py (its weight generator, safetensors
reader/writer, Decoder and PEFT adapter writer); nothing here depends on the Java code.

  /usr/bin/python3 tools/goldens/make_goldens.py [--out engine/src/test/resources]

Writes <out>/golden/<fixture>/{config.json, model.safetensors | shards + index, golden.json, adapter/...}
and <out>/bad/... (malformed inputs). Deterministic: same torch version -> same bytes.
"""
import argparse, json, math, os, shutil, struct, sys
from types import SimpleNamespace

sys.path.insert(0, os.environ.get("TORCH_REF_DIR", "/work/shared/tools"))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch_ref as R  # noqa: E402

# Standard deviation of the random projection/embedding weights. HF's 0.02 makes attention almost uniform and
# the logits tiny, so RoPE (and llama3 rope scaling) errors would hide below the tolerance; 0.2 gives sharp
# attention and logits of a few units. (config.json keeps the usual initializer_range 0.02; it is not used.)
WEIGHT_STD = 0.2
SIG = 7  # significant digits kept for stored floats

LORA_R, LORA_ALPHA = 4, 8


def qwen2_cfg(V, H, I, L, nh, nkv, tie, dtype, theta=1000000.0):
    return {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
            "hidden_act": "silu", "hidden_size": H, "initializer_range": 0.02, "intermediate_size": I,
            "max_position_embeddings": 32768, "max_window_layers": L, "model_type": "qwen2",
            "num_attention_heads": nh, "num_hidden_layers": L, "num_key_value_heads": nkv, "rms_norm_eps": 1e-06,
            "rope_scaling": None, "rope_theta": theta, "sliding_window": 32768, "tie_word_embeddings": tie,
            "torch_dtype": dtype, "transformers_version": "4.43.1", "use_cache": True, "use_sliding_window": False,
            "vocab_size": V}


def llama3_cfg(dtype):
    return {"architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
            "bos_token_id": 1, "eos_token_id": [2, 3, 4], "head_dim": 8, "hidden_act": "silu", "hidden_size": 64,
            "initializer_range": 0.02, "intermediate_size": 160, "max_position_embeddings": 131072,
            "mlp_bias": False, "model_type": "llama", "num_attention_heads": 8, "num_hidden_layers": 3,
            "num_key_value_heads": 2, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
            "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                             "original_max_position_embeddings": 8192, "rope_type": "llama3"},
            "rope_theta": 500000.0, "tie_word_embeddings": True, "torch_dtype": dtype,
            "transformers_version": "4.45.0", "use_cache": True, "vocab_size": 256}


def llama_untied_cfg():
    return {"architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
            "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 48,
            "initializer_range": 0.02, "intermediate_size": 128, "max_position_embeddings": 8192,
            "mlp_bias": False, "model_type": "llama", "num_attention_heads": 6, "num_hidden_layers": 2,
            "num_key_value_heads": 2, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None,
            "rope_theta": 100000.0, "tie_word_embeddings": False, "torch_dtype": "float32",
            "transformers_version": "4.42.3", "use_cache": True, "vocab_size": 320}


def qwen3_cfg():
    return {"architectures": ["Qwen3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
            "bos_token_id": 1, "eos_token_id": 2, "head_dim": 16, "hidden_act": "silu", "hidden_size": 48,
            "initializer_range": 0.02, "intermediate_size": 128, "max_position_embeddings": 40960,
            "max_window_layers": 2, "model_type": "qwen3", "num_attention_heads": 4, "num_hidden_layers": 2,
            "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 1000000,
            "sliding_window": None, "tie_word_embeddings": True, "torch_dtype": "float32",
            "transformers_version": "4.51.0", "use_cache": True, "use_sliding_window": False, "vocab_size": 256}


def mistral_cfg():
    return {"architectures": ["MistralForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1,
            "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 64, "initializer_range": 0.02,
            "intermediate_size": 160, "max_position_embeddings": 32768, "model_type": "mistral",
            "num_attention_heads": 4, "num_hidden_layers": 2, "num_key_value_heads": 1, "rms_norm_eps": 1e-05,
            "rope_theta": 1000000.0, "sliding_window": None, "tie_word_embeddings": False,
            "torch_dtype": "float32", "transformers_version": "4.42.0.dev0", "use_cache": True,
            "vocab_size": 256}


# name -> (config, weight seed, stored dtype, token seed, T, prompt_len, extras)
FIXTURES = [
    ("qwen2-tied-bias", qwen2_cfg(256, 64, 160, 2, 4, 2, True, "float32"), 11, "F32", 101, 17, 6,
     {"rslora": True}),
    ("qwen2-untied-mha", qwen2_cfg(384, 32, 80, 1, 4, 4, False, "float32"), 12, "F32", 102, 12, 4, {}),
    ("llama3-rope-scaling", llama3_cfg("float32"), 13, "F32", 103, 40, 25, {"long": 256}),
    ("llama-untied", llama_untied_cfg(), 14, "F32", 104, 20, 8, {}),
    ("qwen3-qknorm", qwen3_cfg(), 15, "F32", 105, 16, 5, {}),
    ("mistral", mistral_cfg(), 16, "F32", 106, 24, 10, {}),
    ("qwen2-bf16", qwen2_cfg(256, 64, 160, 2, 4, 2, True, "bfloat16"), 11, "BF16", 101, 17, 6, {}),
    ("llama3-bf16", llama3_cfg("bfloat16"), 13, "BF16", 103, 40, 25, {"adapter_dtype": "BF16"}),
    ("qwen2-f16", qwen2_cfg(256, 64, 160, 2, 4, 2, True, "float16"), 11, "F16", 101, 17, 6, {}),
]
SHARDED = ("qwen2-sharded", "qwen2-tied-bias")  # same weights as the second, over two shards


# ---------------------------------------------------------------- helpers

def rnd(x):
    """Tensor/float/nested list -> nested lists of floats rounded to SIG significant digits."""
    if isinstance(x, torch.Tensor):
        x = x.detach().double().tolist()
    if isinstance(x, list):
        return [rnd(v) for v in x]
    return float(f"{x:.{SIG}g}")


def dump(obj, ind=0):
    """JSON with dicts one key a line, matrices one row a line, vectors on one line."""
    pad, pad1 = " " * ind, " " * (ind + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad1}{json.dumps(k)}: {dump(v, ind + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and obj and isinstance(obj[0], list):
        return "[\n" + ",\n".join(pad1 + dump(v, ind + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, separators=(",", ":"))


def write_json(path, obj):
    with open(path, "w") as f:
        f.write(dump(obj) + "\n")


def write_config(d, cfg):
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype in (torch.bfloat16, torch.float16):
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None, header_override=None):
    """Like torch_ref.save_safetensors, plus an optional __metadata__ and header edits (for bad fixtures)."""
    header, offset, blobs = {}, 0, []
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        raw = raw_bytes(t)
        header[name] = {"dtype": R.DT_NAME[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    if header_override:
        header_override(header)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    return offset


def st_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))


def make_weights(cfg, seed):
    return R.random_weights(dict(cfg, initializer_range=WEIGHT_STD), seed)


def tokens_for(cfg, seed, T):
    g = torch.Generator().manual_seed(seed)
    t = torch.randint(0, cfg["vocab_size"], (T,), generator=g)
    t[0] = cfg["bos_token_id"]
    return t


def decoder(cfg, w):
    return R.Decoder(cfg, w)


def full_logits(cfg, w, toks):
    with torch.no_grad():
        return decoder(cfg, w).forward(toks)[0]


def cached_logits(cfg, w, toks):
    """Prefill the first half, then one token at a time through the KV cache."""
    m = decoder(cfg, w)
    h = toks.shape[0] // 2
    with torch.no_grad():
        out, cache = m.forward(toks[:h])
        rows = [out]
        for i in range(h, toks.shape[0]):
            o, cache = m.forward(toks[i:i + 1], cache)
            rows.append(o)
    return h, torch.cat(rows, 0)


def logprob_block(logits, toks, P):
    lp = torch.log_softmax(logits.double(), -1)
    nxt = lp[torch.arange(toks.shape[0] - 1), toks[1:]]  # nxt[t] = log p(toks[t+1] | toks[<=t])
    cont = nxt[P - 1:].sum().item()  # sum over t >= P of log p(toks[t] | toks[<t])
    return {"prompt_len": P, "next_token": rnd(nxt), "continuation_logprob_sum": cont}


def lora_model(cfg, w, adapter_dir, rslora):
    """As torch_ref loragrad: Decoder with LoRA on every projection, A/B copied from the PEFT file."""
    acfg = json.load(open(os.path.join(adapter_dir, "adapter_config.json")))
    at = R.load_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    m = R.Decoder(cfg, w, lora_r=acfg["r"], lora_alpha=acfg["lora_alpha"])
    if rslora:
        m.scale = acfg["lora_alpha"] / math.sqrt(acfg["r"])
    for n, (A, B) in m.lora.items():
        mod = R.PEFT_PREFIX + n[:-len(".weight")]
        with torch.no_grad():
            A.copy_(at[mod + ".lora_A.weight"])
            B.copy_(at[mod + ".lora_B.weight"])
    assert len(at) == 2 * len(m.lora), "adapter has extra tensors"
    return m, acfg


def lora_block(cfg, w, model_dir, sub, toks, P, rslora, base_logits):
    adapter_dir = os.path.join(model_dir, sub)
    m, acfg = lora_model(cfg, w, adapter_dir, rslora)
    logits, _ = m.forward(toks[:-1])
    loss = F.cross_entropy(logits[P - 1:], toks[P:])
    loss.backward()
    L = cfg["num_hidden_layers"]
    keep = [f"model.layers.0.self_attn.q_proj.weight", f"model.layers.{L - 1}.mlp.down_proj.weight"]
    grads = {}
    for n in keep:
        A, B = m.lora[n]
        mod = R.PEFT_PREFIX + n[:-len(".weight")]
        grads[mod + ".lora_A.weight"] = rnd(A.grad)
        grads[mod + ".lora_B.weight"] = rnd(B.grad)
    with torch.no_grad():
        full, _ = m.forward(toks)
    return {
        "adapter": sub, "adapter_stored": sorted({i["dtype"] for k, i in st_header(
            os.path.join(adapter_dir, "adapter_model.safetensors")).items() if k != "__metadata__"}),
        "r": acfg["r"], "lora_alpha": acfg["lora_alpha"], "use_rslora": rslora, "scale": m.scale,
        "prompt_len": P,
        "loss": loss.item(),
        "grad_norm": {n: [A.grad.norm().item(), B.grad.norm().item()] for n, (A, B) in m.lora.items()},
        "grads": grads,
        "logits": rnd(full),
        "_effect": ((full - base_logits).abs().max() / base_logits.abs().max()).item(),
    }


def make_adapter(model_dir, sub, seed, fixture, rslora=False, copy_from=None, dtype="F32"):
    out = os.path.join(model_dir, sub)
    if copy_from:
        os.makedirs(out, exist_ok=True)
        shutil.copyfile(os.path.join(copy_from, "adapter_model.safetensors"),
                        os.path.join(out, "adapter_model.safetensors"))
    else:
        R.cmd_mkadapter(SimpleNamespace(model=model_dir, out=out, r=LORA_R, alpha=LORA_ALPHA, seed=seed))
        if dtype != "F32":  # stored like the base model (PEFT saves a bf16-loaded model's adapter in bf16)
            f = os.path.join(out, "adapter_model.safetensors")
            t = R.load_safetensors(f)
            write_safetensors(f, {k: v.to(R.DT[dtype]) for k, v in t.items()}, metadata={"format": "pt"})
    # torch_ref writes a minimal PEFT config with an absolute base path; make it look like PEFT's own output.
    acfg = json.load(open(os.path.join(copy_from or out, "adapter_config.json")))
    acfg.update({"base_model_name_or_path": fixture, "use_rslora": rslora, "lora_alpha": LORA_ALPHA,
                 "alpha_pattern": {}, "rank_pattern": {}, "fan_in_fan_out": False, "inference_mode": True,
                 "init_lora_weights": True, "layers_pattern": None, "layers_to_transform": None,
                 "modules_to_save": None, "revision": None, "use_dora": False})
    with open(os.path.join(out, "adapter_config.json"), "w") as f:
        json.dump(acfg, f, indent=2, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------- fixtures

def make_fixture(root, name, cfg, wseed, dtype, tseed, T, P, extras):
    d = os.path.join(root, name)
    os.makedirs(d)
    write_config(d, cfg)
    w0 = make_weights(cfg, wseed)
    dt = R.DT[dtype]
    write_safetensors(os.path.join(d, "model.safetensors"), {k: v.to(dt) for k, v in w0.items()},
                      metadata={"format": "pt"})
    cfg, w = R.load_dir(d)  # what is on disk, upcast to f32 (as torch_ref does)
    toks = tokens_for(cfg, tseed, T)
    logits = full_logits(cfg, w, toks)
    h, dec = cached_logits(cfg, w, toks)
    g = {
        "fixture": name,
        "reference": {"tool": "tools/goldens/make_goldens.py (torch_ref.Decoder)", "torch": torch.__version__,
                      "compute": "float32", "weights_stored": dtype, "weight_seed": wseed,
                      "weight_std": WEIGHT_STD, "significant_digits": SIG},
        "tolerance": {"logits_rel_to_max_abs": 1e-4 if dtype == "F32" else 1e-2},
        "vocab_size": cfg["vocab_size"],
        "tokens": toks.tolist(),
        "logits": rnd(logits),
        "decode": {"prefill_len": h, "logits": rnd(dec)},
        "logprobs": logprob_block(logits, toks, P),
    }
    diag = {"max_abs_logit": logits.abs().max().item(),
            "decode_vs_full_max_abs_diff": (dec - logits).abs().max().item()}
    make_adapter(d, "adapter", wseed + 1000, name, dtype=extras.get("adapter_dtype", "F32"))
    lb = lora_block(cfg, w, d, "adapter", toks, P, False, logits)
    diag["lora_effect_rel"] = lb.pop("_effect")
    g["lora"] = lb
    if extras.get("rslora"):
        make_adapter(d, "adapter-rslora", None, name, rslora=True, copy_from=os.path.join(d, "adapter"))
        lb = lora_block(cfg, w, d, "adapter-rslora", toks, P, True, logits)
        diag["rslora_effect_rel"] = lb.pop("_effect")
        g["lora_rslora"] = lb
    if cfg.get("rope_scaling"):
        plain = full_logits(dict(cfg, rope_scaling=None), w, toks)
        diag["rope_scaling_effect_rel"] = ((plain - logits).abs().max() / logits.abs().max()).item()
    if extras.get("long"):
        n = extras["long"]
        lt = tokens_for(cfg, tseed + 7, n)
        ll = full_logits(cfg, w, lt)
        last = list(range(n - 4, n))
        g["long"] = {"tokens": lt.tolist(), "positions": last, "logits": rnd(ll[last])}
        if cfg.get("rope_scaling"):
            pl = full_logits(dict(cfg, rope_scaling=None), w, lt)[last]
            diag["long_rope_scaling_effect_rel"] = ((pl - ll[last]).abs().max() / ll[last].abs().max()).item()
    g["diagnostics"] = diag
    write_json(os.path.join(d, "golden.json"), g)
    return g


def make_sharded(root, name, src):
    d = os.path.join(root, name)
    os.makedirs(d)
    sd = os.path.join(root, src)
    cfg, w = R.load_dir(sd)
    write_config(d, cfg)
    L = cfg["num_hidden_layers"]
    first = {k: v for k, v in w.items() if k.startswith("model.embed_tokens.") or k.startswith("model.layers.0.")}
    rest = {k: v for k, v in w.items() if k not in first}
    assert rest and first and L == 2
    files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    total, wmap = 0, {}
    for f, part in zip(files, (first, rest)):
        total += write_safetensors(os.path.join(d, f), part, metadata={"format": "pt"})
        for k in part:
            wmap[k] = f
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(wmap.items()))}, f, indent=2)
        f.write("\n")
    sg = json.load(open(os.path.join(sd, "golden.json")))
    g = {"fixture": name, "same_weights_as": src,
         "note": f"weights identical to ../{src}; its adapter/ and lora goldens apply unchanged",
         "reference": sg["reference"], "tolerance": sg["tolerance"], "vocab_size": sg["vocab_size"],
         "tokens": sg["tokens"], "logits": sg["logits"], "logprobs": sg["logprobs"]}
    write_json(os.path.join(d, "golden.json"), g)


# ---------------------------------------------------------------- bad inputs

def make_bad(root):
    os.makedirs(root, exist_ok=True)
    # A valid tiny checkpoint the broken folders are derived from (tests can check it loads).
    cfg = qwen2_cfg(64, 16, 40, 2, 2, 1, True, "float32")
    w = make_weights(cfg, 77)
    ctrl = os.path.join(root, "control-ok")
    os.makedirs(ctrl)
    write_config(ctrl, cfg)
    write_safetensors(os.path.join(ctrl, "model.safetensors"), w, metadata={"format": "pt"})
    toks = tokens_for(cfg, 78, 8)
    write_json(os.path.join(ctrl, "golden.json"),
               {"fixture": "control-ok", "tolerance": {"logits_rel_to_max_abs": 1e-4}, "tokens": toks.tolist(),
                "logits": rnd(full_logits(cfg, w, toks))})

    def st(path, data):
        with open(os.path.join(root, path), "wb") as f:
            f.write(data)

    # 1. header length says 200 bytes, file holds 8 + 40.
    hdr = b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
    st("truncated-header.safetensors", struct.pack("<Q", 200) + hdr[:40])
    # 2. header is not JSON.
    h = b"this is not json"
    st("header-not-json.safetensors", struct.pack("<Q", len(h)) + h + bytes(16))
    # 3. data_offsets run past the end of the file (needs 64 bytes of data, file has 32).
    h = json.dumps({"__metadata__": {"format": "pt"},
                    "w": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 64]}}).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    st("offsets-past-end.safetensors", struct.pack("<Q", len(h)) + h + bytes(32))
    # 4/5. unsupported dtypes (otherwise consistent files).
    for dt, nbytes, fname in (("F8_E4M3", 1, "unknown-dtype-f8.safetensors"), ("I64", 8, "unknown-dtype-i64.safetensors")):
        ok = torch.arange(4, dtype=torch.float32)
        h = json.dumps({"ok": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                        "w": {"dtype": dt, "shape": [2, 2], "data_offsets": [16, 16 + 4 * nbytes]}}).encode()
        h += b" " * ((8 - len(h) % 8) % 8)
        st(fname, struct.pack("<Q", len(h)) + h + ok.numpy().tobytes() + bytes(4 * nbytes))

    def folder(name, cfg_, tensors, header_override=None, config=True):
        d = os.path.join(root, name)
        os.makedirs(d)
        if config:
            write_config(d, cfg_)
        if tensors is not None:
            write_safetensors(os.path.join(d, "model.safetensors"), tensors, metadata={"format": "pt"},
                              header_override=header_override)
        return d

    # 6. unknown architecture.
    neox = dict(cfg, architectures=["GPTNeoXForCausalLM"], model_type="gpt_neox")
    folder("unknown-model-type", neox, w)
    # 7. a tensor missing (layer 1's o_proj).
    folder("missing-tensor", cfg, {k: v for k, v in w.items() if k != "model.layers.1.self_attn.o_proj.weight"})
    # 8. a tensor with the wrong shape (k_proj [16,16] where config says [8,16]); file itself is consistent.
    bad = dict(w)
    bad["model.layers.0.self_attn.k_proj.weight"] = torch.randn(16, 16, generator=torch.Generator().manual_seed(5)) * 0.2
    folder("wrong-shape", cfg, bad)
    # 9. no config.json.
    folder("no-config", cfg, w, config=False)
    # 10. sharded index naming a shard file that is not there.
    d = folder("missing-shard", cfg, None)
    first = {k: v for k, v in w.items() if k.startswith("model.embed_tokens.") or k.startswith("model.layers.0.")}
    rest = {k: v for k, v in w.items() if k not in first}
    f1, f2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
    total = write_safetensors(os.path.join(d, f1), first, metadata={"format": "pt"})
    total += sum(len(raw_bytes(v)) for v in rest.values())
    wmap = {**{k: f1 for k in first}, **{k: f2 for k in rest}}
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(wmap.items()))}, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="engine/src/test/resources")
    ap.add_argument("--only", help="comma-separated fixture names (golden only; for quick iteration)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    groot, broot = os.path.join(a.out, "golden"), os.path.join(a.out, "bad")
    only = set(a.only.split(",")) if a.only else None
    if not only:
        for r in (groot, broot):
            if os.path.exists(r):
                for e in os.listdir(r):
                    if e != "README.md":
                        p = os.path.join(r, e)
                        shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    os.makedirs(groot, exist_ok=True)
    for name, cfg, wseed, dtype, tseed, T, P, extras in FIXTURES:
        if only and name not in only:
            continue
        if os.path.exists(os.path.join(groot, name)):
            shutil.rmtree(os.path.join(groot, name))
        g = make_fixture(groot, name, cfg, wseed, dtype, tseed, T, P, extras)
        print(name, json.dumps(g["diagnostics"]), flush=True)
    if not only:
        make_sharded(groot, *SHARDED)
        print(SHARDED[0], "ok")
        make_bad(broot)
        print("bad ok")


if __name__ == "__main__":
    main()
