#!/usr/bin/python3
"""Sanity checks of the golden/bad fixtures against the independent reference (torch_ref).

  /usr/bin/python3 tools/goldens/check_goldens.py [--out engine/src/test/resources]

Reloads every golden model from disk, recomputes logits with torch_ref.Decoder, compares with golden.json,
checks decode == logits, the logprob block, the lora block against `torch_ref.py loragrad` (run as a CLI),
that stored gradient tensors match their norms, that the sharded checkpoint equals its source, and that
torch_ref's own loader rejects each malformed file.
"""
import argparse, glob, json, math, os, struct, subprocess, sys

sys.path.insert(0, os.environ.get("TORCH_REF_DIR", "/work/shared/tools"))
import torch  # noqa: E402
import torch_ref as R  # noqa: E402

TORCH_REF = os.path.join(os.environ.get("TORCH_REF_DIR", "/work/shared/tools"), "torch_ref.py")
fails = []


def check(cond, msg):
    if not cond:
        fails.append(msg)
        print("FAIL", msg)


def rel(a, b):
    a, b = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    return ((a - b).abs().max() / b.abs().max()).item()


def load_any(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    idx = os.path.join(d, "model.safetensors.index.json")
    if os.path.exists(idx):
        ix = json.load(open(idx))
        w = {}
        for f in sorted(set(ix["weight_map"].values())):
            w.update(R.load_safetensors(os.path.join(d, f)))
        check(set(w) == set(ix["weight_map"]), f"{d}: index weight_map != shard contents")
        size = sum(v.numel() * 4 for v in w.values())  # all F32 here
        check(size == ix["metadata"]["total_size"], f"{d}: total_size {ix['metadata']['total_size']} != {size}")
        return cfg, w
    return R.load_dir(d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="engine/src/test/resources")
    a = ap.parse_args()
    torch.set_num_threads(1)
    groot, broot = os.path.join(a.out, "golden"), os.path.join(a.out, "bad")
    for gf in sorted(glob.glob(os.path.join(groot, "*", "golden.json"))):
        d = os.path.dirname(gf)
        name = os.path.basename(d)
        g = json.load(open(gf))
        cfg, w = load_any(d)
        toks = torch.tensor(g["tokens"])
        T, V = len(g["tokens"]), cfg["vocab_size"]
        check(len(g["logits"]) == T and all(len(r) == V for r in g["logits"]), f"{name}: logits shape")
        with torch.no_grad():
            ref = R.Decoder(cfg, w).forward(toks)[0]
        e = rel(g["logits"], ref.tolist())
        check(e < 1e-6, f"{name}: stored logits vs recomputed rel {e}")
        if "same_weights_as" in g:
            _, w2 = R.load_dir(os.path.join(groot, g["same_weights_as"]))
            check(set(w2) == set(w) and all(torch.equal(w[k], w2[k]) for k in w), f"{name}: weights differ from source")
        if "decode" in g:
            e = rel(g["decode"]["logits"], g["logits"])
            check(e < 1e-5, f"{name}: decode vs logits rel {e}")
            print(f"{name}: T={T} V={V} decode-vs-logits rel {e:.2e}")
        lp = g["logprobs"]
        P = lp["prompt_len"]
        ls = torch.log_softmax(torch.tensor(g["logits"], dtype=torch.float64), -1)
        nxt = [ls[t, g["tokens"][t + 1]].item() for t in range(T - 1)]
        check(rel(lp["next_token"], nxt) < 1e-5 and len(lp["next_token"]) == T - 1, f"{name}: next_token logprobs")
        s = sum(nxt[t - 1] for t in range(P, T))
        check(abs(s - lp["continuation_logprob_sum"]) < 1e-4, f"{name}: continuation sum {s}")
        for key in ("lora", "lora_rslora"):
            if key not in g:
                continue
            lb = g[key]
            ad = os.path.join(d, lb["adapter"])
            acfg = json.load(open(os.path.join(ad, "adapter_config.json")))
            check(acfg["r"] == lb["r"] and acfg["lora_alpha"] == lb["lora_alpha"]
                  and acfg["use_rslora"] == lb["use_rslora"], f"{name}/{key}: adapter_config mismatch")
            exp_scale = lb["lora_alpha"] / (math.sqrt(lb["r"]) if lb["use_rslora"] else lb["r"])
            check(abs(lb["scale"] - exp_scale) < 1e-12, f"{name}/{key}: scale")
            for gname, gt in lb["grads"].items():
                mod = gname[len(R.PEFT_PREFIX):].rsplit(".", 2)[0] + ".weight"
                i = 0 if ".lora_A." in gname else 1
                n = torch.tensor(gt, dtype=torch.float64).norm().item()
                check(abs(n - lb["grad_norm"][mod][i]) < 1e-5 * max(1.0, n), f"{name}/{key}: grad norm {gname}")
            check(len(lb["logits"]) == T, f"{name}/{key}: lora logits shape")
            if not lb["use_rslora"]:  # torch_ref's CLI knows only the plain scale
                out = subprocess.run([sys.executable, TORCH_REF, "loragrad", "--model", d, "--adapter", ad,
                                      "--tokens", ",".join(map(str, g["tokens"])), "--prompt-len", str(P)],
                                     capture_output=True, text=True, check=True).stdout
                cli = json.loads(out)
                check(abs(cli["loss"] - lb["loss"]) < 1e-6, f"{name}: loss vs loragrad CLI")
                worst = max(abs(cli["grad_norm"][k][j] - lb["grad_norm"][k][j]) / max(1e-12, cli["grad_norm"][k][j])
                            for k in cli["grad_norm"] for j in (0, 1))
                check(worst < 1e-5 and set(cli["grad_norm"]) == set(lb["grad_norm"]), f"{name}: grad_norm vs CLI {worst}")
                print(f"{name}: loss {lb['loss']:.6f} == loragrad CLI {cli['loss']:.6f}; grad_norm worst rel {worst:.1e}")
        if "long" in g:
            lt = torch.tensor(g["long"]["tokens"])
            with torch.no_grad():
                ll = R.Decoder(cfg, w).forward(lt)[0][g["long"]["positions"]]
            check(rel(g["long"]["logits"], ll.tolist()) < 1e-6, f"{name}: long logits")
    # bad inputs: torch_ref's own loader must refuse each (it does not check model_type or shapes by itself,
    # so those are checked by building the Decoder and running it).
    def refuses(label, f):
        try:
            f()
        except Exception as ex:  # noqa: BLE001
            print(f"bad/{label}: refused ({type(ex).__name__})")
            return
        check(False, f"bad/{label}: was accepted")
    for fn in ("truncated-header", "header-not-json", "offsets-past-end", "unknown-dtype-f8", "unknown-dtype-i64"):
        refuses(fn, lambda fn=fn: R.load_safetensors(os.path.join(broot, fn + ".safetensors")))

    def run(dname):
        cfg, w = load_any(os.path.join(broot, dname))
        if cfg["model_type"] not in ("qwen2", "qwen3", "llama", "mistral"):
            raise ValueError("unknown model_type " + cfg["model_type"])
        R.Decoder(cfg, w).forward(torch.tensor([1, 2, 3]))
    for dname in ("unknown-model-type", "missing-tensor", "wrong-shape", "no-config", "missing-shard"):
        refuses(dname, lambda dname=dname: run(dname))
    run("control-ok")
    c = json.load(open(os.path.join(broot, "control-ok", "golden.json")))
    cfg, w = R.load_dir(os.path.join(broot, "control-ok"))
    with torch.no_grad():
        check(rel(c["logits"], R.Decoder(cfg, w).forward(torch.tensor(c["tokens"]))[0].tolist()) < 1e-6, "control-ok logits")
    total = sum(os.path.getsize(os.path.join(r, f)) for root in (groot, broot) for r, _, fs in os.walk(root) for f in fs)
    print(f"total size {total / 1e6:.2f} MB")
    check(total < 8e6, "tree over 8 MB")
    print("ALL OK" if not fails else f"{len(fails)} FAILURES")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
