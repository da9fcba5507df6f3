"""GGUF fixtures for the engine's tests, made by llama.cpp's own converter (../shared/tools/llamacpp, tag b4747).

usage (with /usr/bin/python3, which has torch and numpy; run from the repository root):
  make_fixtures.py model HF_DIR OUT.gguf {f32,f16,bf16} [PRE]   a tiny golden checkpoint (no tokenizer files) -> GGUF;
                                                          with PRE, a checkpoint folder with its tokenizer files
  make_fixtures.py qwen3 HF_DIR OUT.gguf {f32,f16,bf16}   the same for Qwen3, which this converter predates:
                                                          written with gguf-py's GGUFWriter and llama.cpp's names
  make_fixtures.py vocab TOKENIZER_DIR OUT.gguf ARCH PRE  a vocab-only GGUF (tokenizer + chat template) of a real
                                                          tokenizer folder; ARCH qwen2|llama, PRE qwen2|llama-bpe
Q8_0 files come from the f32 ones: LD_LIBRARY_PATH=bin bin/llama-quantize in.gguf out.gguf Q8_0.

Two hooks, and only these, replace parts of the converter, because this machine has no transformers package:
- the tiny golden checkpoints have no tokenizer: set_vocab writes a byte-level vocabulary of the checkpoint's size
  (the 256 byte symbols, then <|endoftext|>, <|im_start|>, <|im_end|> as CONTROL tokens, then [PADn] UNUSED);
- for real tokenizers, Model.get_vocab_base (which asks transformers' AutoTokenizer for the vocabulary and hashes
  its output to name the pre-tokenizer) reads tokenizer.json, or vocab.json + added_tokens.json +
  tokenizer_config.json, directly, classifies tokens as it does (added special -> CONTROL, other added ->
  USER_DEFINED, ids beyond the vocabulary -> [PADn] UNUSED) and takes the pre-tokenizer name the hash table gives
  these models (qwen2 for Qwen2.5 and Qwen3, llama-bpe for Llama 3). Merges, special ids, add_bos/eos and the chat
  template are written by the converter's own gguf.SpecialVocab.
"""
import json
import mmap
import struct
import sys
import tempfile
import shutil
import types
from pathlib import Path

LLAMACPP = Path(__file__).resolve().parents[5] / ".." / "shared" / "tools" / "llamacpp"
sys.path.insert(0, str(LLAMACPP / "gguf-py"))
sys.path.insert(0, str(LLAMACPP))

import numpy as np  # noqa: E402
import torch  # noqa: E402

for _name in ("float8_e4m3fn", "float8_e5m2"):  # torch 1.13 predates these; the converter only names them
    if not hasattr(torch, _name):
        setattr(torch, _name, torch.uint8)


def _safetensors_shim():
    """The read-only part of the safetensors package the converter uses (Debian has no python3-safetensors)."""
    try:
        import safetensors  # noqa: F401
        return
    except ImportError:
        pass
    np_dt = {"F32": np.float32, "F16": np.float16, "BF16": np.int16, "I64": np.int64, "I32": np.int32}

    class Slice:
        def __init__(self, mm, base, info):
            self.mm, self.base, self.info = mm, base, info

        def get_dtype(self):
            return self.info["dtype"]

        def get_shape(self):
            return list(self.info["shape"])

        def __getitem__(self, idx):
            b, e = self.info["data_offsets"]
            d = np.dtype(np_dt[self.info["dtype"]])
            a = np.frombuffer(self.mm, dtype=d, count=(e - b) // d.itemsize, offset=self.base + b)
            t = torch.from_numpy(a.reshape(self.info["shape"]).copy())
            return (t.view(torch.bfloat16) if self.info["dtype"] == "BF16" else t)[idx]

    class File:
        def __init__(self, path, framework="pt", device="cpu"):
            self.f = open(path, "rb")
            n = struct.unpack("<Q", self.f.read(8))[0]
            self.hdr = json.loads(self.f.read(n))
            self.hdr.pop("__metadata__", None)
            self.base = 8 + n
            self.mm = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def keys(self):
            return list(self.hdr.keys())

        def get_slice(self, name):
            return Slice(self.mm, self.base, self.hdr[name])

        def get_tensor(self, name):
            return self.get_slice(name)[...]

    mod = types.ModuleType("safetensors")
    mod.safe_open = File
    sys.modules["safetensors"] = mod


_safetensors_shim()
import convert_hf_to_gguf as conv  # noqa: E402
import gguf  # noqa: E402


def byte_symbols():
    """GPT-2's byte-level alphabet: the characters bytes 0..255 are written as."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]  # in the order GPT-2 and Qwen2 vocabularies start with


def synthetic_set_vocab(self):
    n = self.hparams["vocab_size"]
    T = gguf.TokenType
    tokens, types_ = byte_symbols()[:n], [T.NORMAL] * min(n, 256)
    for s in ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]:
        if len(tokens) < n:
            tokens.append(s)
            types_.append(T.CONTROL)
    while len(tokens) < n:
        tokens.append(f"[PAD{len(tokens)}]")
        types_.append(T.UNUSED)
    w = self.gguf_writer
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types(types_)
    w.add_token_merges([])
    w.add_add_bos_token(False)


def read_vocab(d):
    """The tokenizer folder's vocabulary (token -> id) and added tokens (content -> (id, special))."""
    d = Path(d)
    added = {}
    if (d / "tokenizer.json").is_file():
        tj = json.loads((d / "tokenizer.json").read_text(encoding="utf-8"))
        vocab = tj["model"]["vocab"]
        for t in tj.get("added_tokens", []):
            added[t["content"]] = (t["id"], t.get("special", False))
    else:
        vocab = json.loads((d / "vocab.json").read_text(encoding="utf-8"))
        cfg = json.loads((d / "tokenizer_config.json").read_text(encoding="utf-8"))
        for i, t in cfg.get("added_tokens_decoder", {}).items():
            added[t["content"]] = (int(i), t.get("special", False))
        if (d / "added_tokens.json").is_file():
            for c, i in json.loads((d / "added_tokens.json").read_text(encoding="utf-8")).items():
                added.setdefault(c, (i, False))
    return vocab, added


def file_vocab(pre):
    def get_vocab_base(self):
        vocab, added = read_vocab(self.dir_model)
        reverse = {i: t for t, i in vocab.items()}
        for c, (i, _) in added.items():
            reverse[i] = c
        vocab_size = self.hparams.get("vocab_size", max(reverse) + 1)
        tokens, toktypes = [], []
        for i in range(vocab_size):
            if i not in reverse:
                tokens.append(f"[PAD{i}]")
                toktypes.append(gguf.TokenType.UNUSED)
            elif reverse[i] in added:
                tokens.append(reverse[i])
                toktypes.append(gguf.TokenType.CONTROL if added[reverse[i]][1] else gguf.TokenType.USER_DEFINED)
            else:
                tokens.append(reverse[i])
                toktypes.append(gguf.TokenType.NORMAL)
        return tokens, toktypes, pre
    return get_vocab_base


def convert(hf_dir, out, outtype, extra=()):
    sys.argv = ["convert_hf_to_gguf.py", str(hf_dir), "--outfile", str(out), "--outtype", outtype, *extra]
    conv.main()


def write_qwen3(hf_dir, out, outtype):
    """Qwen3 with gguf-py's writer: llama.cpp's qwen3 keys and tensor names (blk.N.attn_q_norm ...), no permutation."""
    from safetensors import safe_open
    cfg = json.loads((Path(hf_dir) / "config.json").read_text())
    w = gguf.GGUFWriter(str(out), "qwen3")
    w.add_name(Path(out).stem)
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_context_length(cfg.get("max_position_embeddings", 4096))
    w.add_embedding_length(cfg["hidden_size"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(cfg["num_attention_heads"])
    w.add_head_count_kv(cfg["num_key_value_heads"])
    w.add_rope_freq_base(cfg.get("rope_theta", 10000.0))
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    w.add_key_length(cfg["head_dim"])
    w.add_value_length(cfg["head_dim"])
    w.add_file_type({"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16, "bf16": gguf.LlamaFileType.MOSTLY_BF16}[outtype])
    self = types.SimpleNamespace(hparams=cfg, gguf_writer=w)
    synthetic_set_vocab(self)
    names = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight", "lm_head.weight": "output.weight"}
    per_layer = {"input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
                 "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
                 "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
                 "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
                 "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight"}
    with safe_open(str(Path(hf_dir) / "model.safetensors"), framework="pt") as f:
        for name in f.keys():
            t = f.get_tensor(name).float().numpy()
            if name in names:
                g = names[name]
            else:
                parts = name.split(".", 3)
                g = f"blk.{parts[2]}.{per_layer[parts[3]]}"
            if t.ndim == 1 or outtype == "f32":
                w.add_tensor(g, t.astype(np.float32))
            elif outtype == "f16":
                w.add_tensor(g, t.astype(np.float16))
            else:
                w.add_tensor(g, gguf.quants.quantize(t, gguf.GGMLQuantizationType.BF16), raw_dtype=gguf.GGMLQuantizationType.BF16)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    cmd = sys.argv[1]
    if cmd == "model":
        hf_dir, out, outtype = sys.argv[2:5]
        if len(sys.argv) > 5:  # PRE given: the folder's own tokenizer files, as for "vocab"
            conv.Model.get_vocab_base = file_vocab(sys.argv[5])
        else:
            conv.Qwen2Model.set_vocab = synthetic_set_vocab
            conv.LlamaModel.set_vocab = synthetic_set_vocab
        convert(hf_dir, out, outtype)
    elif cmd == "qwen3":
        write_qwen3(*sys.argv[2:5])
    elif cmd == "vocab":
        tok_dir, out, arch, pre = sys.argv[2:6]
        conv.Model.get_vocab_base = file_vocab(pre)
        with tempfile.TemporaryDirectory() as tmp:
            for f in Path(tok_dir).iterdir():
                if f.name in ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "added_tokens.json", "special_tokens_map.json"):
                    shutil.copy(f, tmp)
            # A config only for the converter to pick the architecture's class; no tensors are written.
            cfg = json.loads((Path(tok_dir) / "config.json").read_text()) if (Path(tok_dir) / "config.json").is_file() else {}
            cfg.setdefault("architectures", ["Qwen2ForCausalLM" if arch == "qwen2" else "LlamaForCausalLM"])
            cfg["architectures"] = ["Qwen2ForCausalLM" if arch == "qwen2" else "LlamaForCausalLM"]
            vocab, added = read_vocab(tmp)
            cfg.setdefault("vocab_size", max(list(vocab.values()) + [i for i, _ in added.values()]) + 1)
            for k, v in {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4,
                         "num_key_value_heads": 4, "rms_norm_eps": 1e-6}.items():
                cfg.setdefault(k, v)
            (Path(tmp) / "config.json").write_text(json.dumps(cfg))
            convert(tmp, out, "f32", ["--vocab-only"])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
