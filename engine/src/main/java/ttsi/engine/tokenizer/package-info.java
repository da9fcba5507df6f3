/**
 * Hugging Face compatible byte-level BPE tokenization (Qwen2/2.5/3, Llama 3, GPT-2 style vocabularies).
 * {@link ttsi.engine.tokenizer.Tokenizer#load} reads a model folder; encodings match HF's Rust tokenizer
 * (checked against golden ids in the tests), and {@link ttsi.engine.tokenizer.StreamingDecoder} turns generated ids
 * into text without splitting characters.
 */
package ttsi.engine.tokenizer;
