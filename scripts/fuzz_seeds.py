#!/usr/bin/env python3
"""Writes the hand-made seed files of tests/fuzz/corpus/<target>/ (small; committed).

Seeds cut from the fixture checkpoints are added at run time by scripts/fuzz.sh instead, so no
large file enters the repository. Rerun after changing a seed here:  python3 scripts/fuzz_seeds.py
"""
import json
import os
import struct
import sys
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz", "corpus")
TEST_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "core")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, bytes)."""
    header, blob = {}, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blob


def header_only(keys):
    """A checkpoint seed for fuzz_checkpoint (mode byte 0 + header JSON, data is sparse)."""
    header, off = {}, 0
    for name, shape in keys:
        n = 2
        for d in shape:
            n *= d
        header[name] = {"dtype": "F16", "shape": shape, "data_offsets": [off, off + n]}
        off += n
    return b"\x00" + json.dumps(header, separators=(",", ":")).encode()


def png(chunks):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for kind, data in chunks:
        out += chunk(kind, data)
    return out + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


A1111 = ("masterpiece, (castle:1.2) in the [clouds], ((sunset))\n"
         "Negative prompt: blurry, lowres\n"
         "Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x768, "
         "Model: v1-5, Lora hashes: \"style: abc, other: def\", Version: v1.9.0")


def main():
    # ---- safetensors -------------------------------------------------------------------------
    put("safetensors", "small", safetensors(
        [("a.weight", "F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
         ("b.ids", "I64", [3], struct.pack("<3q", 1, -2, 3)),
         ("c.mask", "BOOL", [2], b"\x01\x00"),
         ("d.half", "BF16", [], b"\x80\x3f"),
         ("e.empty", "F16", [0, 3], b"")],
        {"format": "pt", "lienzo.model": "seed"}))
    put("safetensors", "u8_i8_i16", safetensors(
        [("x", "U8", [4], b"\x00\x01\xfe\xff"), ("y", "I8", [1, 2], b"\x80\x7f"),
         ("z", "I16", [2], b"\x01\x00\xff\xff"), ("w", "F64", [1], struct.pack("<d", 0.5)),
         ("v", "I32", [1], b"\x07\x00\x00\x00")]))
    put("safetensors", "empty_header", struct.pack("<Q", 2) + b"{}")
    overlap = (b'{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},'
               b'"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}')
    put("safetensors", "overlap", struct.pack("<Q", len(overlap)) + overlap + b"\x00" * 4)
    # ---- checkpoint (mode byte 0: header JSON; 1: raw file, byte 1 picks the extension) ------
    put("checkpoint", "sd1_min", header_only([
        ("model.diffusion_model.input_blocks.0.0.weight", [32, 4, 3, 3]),
        ("model.diffusion_model.input_blocks.1.1.proj_in.weight", [32, 32, 1, 1]),
        ("model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight", [32, 768]),
        ("first_stage_model.decoder.conv_out.weight", [3, 32, 3, 3]),
        ("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", [49408, 768])]))
    put("checkpoint", "sdxl_min", header_only([
        ("model.diffusion_model.input_blocks.0.0.weight", [32, 4, 3, 3]),
        ("model.diffusion_model.label_emb.0.0.weight", [128, 2816]),
        ("model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight", [64, 2048]),
        ("conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight", [49408, 768]),
        ("conditioner.embedders.1.model.token_embedding.weight", [49408, 1280])]))
    put("checkpoint", "sd3_like", header_only([
        ("model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight", [192, 64]),
        ("model.diffusion_model.x_embedder.proj.weight", [64, 16, 2, 2])]))
    put("checkpoint", "flux_like", header_only([
        ("double_blocks.0.img_attn.qkv.weight", [192, 64]),
        ("single_blocks.0.linear1.weight", [256, 64])]))
    put("checkpoint", "builtin", b"\x00" + json.dumps({
        "__metadata__": {"lienzo.model": "{}"},
        "unet.conv_in.weight": {"dtype": "F32", "shape": [8, 4, 3, 3], "data_offsets": [0, 1152]}}).encode())
    put("checkpoint", "pickle_ckpt", b"\x01\x01" + b"\x80\x02}q\x00X\x05\x00\x00\x00state.")
    put("checkpoint", "zip_pt", b"\x01\x02" + b"PK\x03\x04" + b"\x00" * 26)
    put("checkpoint", "raw_safetensors", b"\x01\x00" + safetensors(
        [("model.diffusion_model.input_blocks.0.0.weight", "F16", [1, 1, 1, 1], b"\x00\x3c")]))
    # ---- png_text -----------------------------------------------------------------------------
    put("png_text", "text", png([(b"tEXt", b"parameters\x00" + A1111.encode("latin-1", "replace"))]))
    put("png_text", "ztext", png([(b"zTXt", b"prompt\x00\x00" + zlib.compress(b'{"3":{}}'))]))
    put("png_text", "itext", png([
        (b"iTXt", b"parameters\x00\x00\x00\x00\x00" + "un castillo 🌅, Steps: 2".encode()),
        (b"iTXt", b"comment\x00\x01\x00es\x00comentario\x00" + zlib.compress("ñandú".encode()))]))
    put("png_text", "bare", png([]))
    # ---- infotext -----------------------------------------------------------------------------
    put("infotext", "a1111", A1111)
    put("infotext", "no_negative", "a cat\nSteps: 4, Sampler: Euler a, CFG scale: 5, Seed: 1, Size: 64x64")
    put("infotext", "quoted", 'p\nNegative prompt: n\nmulti\nSteps: 1, Template: "a, b: \\"c\\"\\n", '
        'Sampler: Euler, Seed: -1, Hires upscale: 2, Denoising strength: 0.5')
    put("infotext", "prompt_only", "just a prompt, with: colons")
    # ---- metadata_import (byte 0: 0 ComfyUI, 1 InvokeAI, 2 both) -------------------------------
    src = open(os.path.join(TEST_SRC, "test_metadata_import.cpp"), encoding="utf-8").read()
    raws = src.split('R"json(')[1:]
    graphs = [r.split(')json"')[0] for r in raws]
    for i, g in enumerate(graphs):
        kind = b"\x01" if "generation_mode" in g else b"\x00"
        put("metadata_import", "test_%d" % i, kind + g.encode())
        put("metadata_import", "both_%d" % i, b"\x02" + g.encode())
    put("metadata_import", "cycle", b"\x00" + json.dumps({
        "1": {"class_type": "KSampler", "inputs": {"positive": ["2", 0], "negative": ["2", 0],
                                                  "latent_image": ["3", 0], "steps": 4}},
        "2": {"class_type": "ConditioningCombine", "inputs": {"conditioning_1": ["2", 0]}},
        "3": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64}}}).encode())
    # ---- prompts (prompt_parser and clip_tokenizer) -------------------------------------------
    prompts = {
        "weights": "a (castle:1.3) in ((the)) [clouds], (nested (deep:0.5):1.5)",
        "escapes": "\\(not weighted\\) \\[x\\] \\\\ back (unclosed [also",
        "break": "first part BREAK second part (BREAK:1.2) third",
        "unicode": "un castillo en las nubes 🌅, ñandú, 東京, &amp;quot;",
        "long": ", ".join("word%d" % i for i in range(120)),
        "bad_weight": "(a:1.2.3) (b:.)",
    }
    for name, text in prompts.items():
        put("prompt_parser", name, text)
        put("clip_tokenizer", name, text)
    put("clip_tokenizer", "special", "<|startoftext|>hello<|endoftext|> world</w>")
    # ---- EXIF UserComment blocks, JPEG and WebP containers (exif_text) -------------------------
    block = exif_user_comment("a red circle, Steps: 20, Seed: 7")
    put("exif_text", "exif_user_comment", block)
    put("exif_text", "exif_prefixed", b"Exif\0\0" + exif_user_comment("una estrella ñ"))
    put("exif_text", "jpeg_jfif",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")
    segment = b"Exif\0\0" + exif_user_comment("x")
    put("exif_text", "jpeg_exif",
        b"\xff\xd8\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment + b"\xff\xd9")
    body = b"WEBP" + b"VP8L" + struct.pack("<I", 5) + b"\x2f\x00\x00\x00\x00" + b"\0"
    put("exif_text", "webp_vp8l", b"RIFF" + struct.pack("<I", len(body)) + body)
    # ---- HF vocab.json NUL merges.txt (clip_vocab) ------------------------------------------
    put("clip_vocab", "hf_small",
        b'{"a":0,"b":1,"c</w>":2,"ab":3,"abc</w>":4,"<|startoftext|>":5,"<|endoftext|>":6}'
        b"\0#version: 0.2\na b\nab c</w>\n")
    put("clip_vocab", "vocab_only", b'{"<|startoftext|>":0,"<|endoftext|>":1}')
    # ---- LoRA-family and embedding files (network_files) -------------------------------------
    def f32(*values):
        return struct.pack("<%df" % len(values), *values)
    put("network_files", "lora_kohya", safetensors([
        ("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", "F32", [1, 2], f32(1, 2)),
        ("lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight", "F32", [3, 1], f32(1, 2, 3)),
        ("lora_unet_down_blocks_0_attentions_0_proj_in.alpha", "F32", [], f32(0.5)),
    ], {"ss_base_model_version": "sd_v1"}))
    put("network_files", "loha_conv", safetensors([
        ("lora_unet_conv_in.hada_w1_a", "F32", [2, 1], f32(1, 2)),
        ("lora_unet_conv_in.hada_w1_b", "F32", [1, 2], f32(3, 4)),
        ("lora_unet_conv_in.hada_w2_a", "F32", [2, 1], f32(5, 6)),
        ("lora_unet_conv_in.hada_w2_b", "F32", [1, 2], f32(7, 8)),
    ]))
    put("network_files", "lokr_full", safetensors([
        ("lycoris_te_text_model_encoder_layers_0_mlp_fc1.lokr_w1", "F32", [1, 2], f32(1, 2)),
        ("lycoris_te_text_model_encoder_layers_0_mlp_fc1.lokr_w2", "F32", [2, 1], f32(3, 4)),
        ("lora_te_text_model_encoder_layers_0_mlp_fc2.diff", "F16", [2], b"\x00\x3c\x00\x40"),
    ]))
    put("network_files", "embedding_a1111", safetensors([
        ("string_to_param.*", "F32", [2, 2], f32(1, 2, 3, 4)),
    ]))
    put("network_files", "embedding_sdxl", safetensors([
        ("clip_l", "F32", [1, 2], f32(1, 2)),
        ("clip_g", "F16", [1, 2], b"\x00\x3c\x00\x40"),
    ]))
    # ---- ControlNet and TAESD files (control_files) ------------------------------------------
    put("control_files", "controlnet_original", safetensors(controlnet_tensors("control_model.")))
    put("control_files", "controlnet_bare", safetensors(controlnet_tensors("")))
    put("control_files", "taesd_combined", safetensors(taesd_tensors("combined")))
    put("control_files", "taesd_decoder_original", safetensors(taesd_tensors("decoder")))
    put("control_files", "taesd_encoder_diffusers", safetensors(taesd_tensors("diffusers_encoder")))

    gguf_seeds()


def f16_zeros(shape):
    n = 1
    for d in shape:
        n *= d
    return b"\x00\x00" * n


def controlnet_tensors(prefix, mc=32, latent=4):
    """The smallest ControlNet the readers take: cldm's layout with model_channels 32 (GroupNorm's
    32 groups), one level of one ResBlock, no attention, a middle of two ResBlocks, a narrow hint
    block ending in model_channels. F16 zeros."""
    emb = 4 * mc
    out = []

    def t(name, shape):
        out.append((prefix + name, "F16", shape, f16_zeros(shape)))

    def resblock(base):
        for norm in ("in_layers.0", "out_layers.0"):
            t(base + norm + ".weight", [mc])
            t(base + norm + ".bias", [mc])
        for conv in ("in_layers.2", "out_layers.3"):
            t(base + conv + ".weight", [mc, mc, 3, 3])
            t(base + conv + ".bias", [mc])
        t(base + "emb_layers.1.weight", [mc, emb])
        t(base + "emb_layers.1.bias", [mc])

    t("time_embed.0.weight", [emb, mc])
    t("time_embed.0.bias", [emb])
    t("time_embed.2.weight", [emb, emb])
    t("time_embed.2.bias", [emb])
    t("input_blocks.0.0.weight", [mc, latent, 3, 3])
    t("input_blocks.0.0.bias", [mc])
    resblock("input_blocks.1.0.")
    resblock("middle_block.0.")
    resblock("middle_block.1.")
    for i in range(2):
        t("zero_convs.%d.0.weight" % i, [mc, mc, 1, 1])
        t("zero_convs.%d.0.bias" % i, [mc])
    t("middle_block_out.0.weight", [mc, mc, 1, 1])
    t("middle_block_out.0.bias", [mc])
    widths = [4, 4, 4, 4, 4, 4, 4, mc]
    cin = 3
    for i, w in enumerate(widths):
        t("input_hint_block.%d.weight" % (2 * i), [w, cin, 3, 3])
        t("input_hint_block.%d.bias" % (2 * i), [w])
        cin = w
    return out


def taesd_tensors(which, latent=4, width=4):
    """A TAESD of `width` channels (the real one has 64) in one of its key layouts: "combined"
    (decoder.N / encoder.N), "decoder" (the distributed taesd_decoder file: N.*) or
    "diffusers_encoder" (AutoencoderTiny: encoder.layers.N). F16 zeros."""
    # (kind, ...) per layer of the reference nn.Sequential; convs: first and last have a bias.
    decoder = ["clamp", "conv", "relu", "block", "block", "block", "up", "conv", "block", "block",
               "block", "up", "conv", "block", "block", "block", "up", "conv", "block", "conv"]
    encoder = ["conv", "block", "conv", "block", "block", "block", "conv", "block", "block",
               "block", "conv", "block", "block", "block", "conv"]
    out = []

    def part(layers, is_decoder, prefix_of):
        convs = [n for n, k in enumerate(layers) if k == "conv"]
        for n, kind in enumerate(layers):
            p = prefix_of(n)
            if kind == "conv":
                first, last = n == convs[0], n == convs[-1]
                cin = (latent if is_decoder else 3) if first else width
                cout = (3 if is_decoder else latent) if last else width
                out.append((p + "weight", "F16", [cout, cin, 3, 3], f16_zeros([cout, cin, 3, 3])))
                if first or last:
                    out.append((p + "bias", "F16", [cout], f16_zeros([cout])))
            elif kind == "block":
                for c in ("conv.0.", "conv.2.", "conv.4."):
                    out.append((p + c + "weight", "F16", [width, width, 3, 3],
                                f16_zeros([width, width, 3, 3])))
                    out.append((p + c + "bias", "F16", [width], f16_zeros([width])))

    if which == "combined":
        part(decoder, True, lambda n: "decoder.%d." % n)
        part(encoder, False, lambda n: "encoder.%d." % n)
    elif which == "decoder":
        part(decoder, True, lambda n: "%d." % n)
    else:
        part(encoder, False, lambda n: "encoder.layers.%d." % n)
    return out


# ---- GGUF (fuzz_gguf) ------------------------------------------------------------------------
# Value type ids of the GGUF metadata and the ggml tensor types used below.
GGUF_U8, GGUF_I8, GGUF_U16, GGUF_I16, GGUF_U32, GGUF_I32, GGUF_F32, GGUF_BOOL = range(8)
GGUF_STRING, GGUF_ARRAY, GGUF_U64, GGUF_I64, GGUF_F64 = range(8, 13)
GGML = {"F32": (0, 1, 4), "F16": (1, 1, 2), "Q4_0": (2, 32, 18), "Q4_1": (3, 32, 20),
        "Q5_0": (6, 32, 22), "Q5_1": (7, 32, 24), "Q8_0": (8, 32, 34), "Q2_K": (10, 256, 84),
        "Q3_K": (11, 256, 110), "Q4_K": (12, 256, 144), "Q5_K": (13, 256, 176),
        "Q6_K": (14, 256, 210), "BF16": (30, 1, 2), "IQ4_NL": (20, 32, 18)}


def gguf_str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_value(vtype, value):
    fmt = {GGUF_U8: "<B", GGUF_I8: "<b", GGUF_U16: "<H", GGUF_I16: "<h", GGUF_U32: "<I",
           GGUF_I32: "<i", GGUF_F32: "<f", GGUF_BOOL: "<B", GGUF_U64: "<Q", GGUF_I64: "<q",
           GGUF_F64: "<d"}
    if vtype == GGUF_STRING:
        return gguf_str(value)
    if vtype == GGUF_ARRAY:
        etype, items = value
        return struct.pack("<IQ", etype, len(items)) + b"".join(gguf_value(etype, v) for v in items)
    return struct.pack(fmt[vtype], value)


def gguf(kvs, tensors, version=3, alignment=32):
    """kvs: list of (key, type, value); tensors: list of (name, ne fastest-first, type, bytes)."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for key, vtype, value in kvs:
        out += gguf_str(key) + struct.pack("<I", vtype) + gguf_value(vtype, value)
    data = b""
    for name, ne, tname, raw in tensors:
        out += gguf_str(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", n) for n in ne)
        out += struct.pack("<IQ", GGML[tname][0], len(data))
        data += raw + b"\0" * (-len(raw) % alignment)
    out += b"\0" * (-len(out) % alignment)
    return out + data


def ggml_bytes(tname, elements, seed):
    """Deterministic packed bytes for `elements` values (scales kept small and finite)."""
    _, length, size = GGML[tname]
    raw = bytearray((i * 37 + seed * 11 + 5) % 256 for i in range(elements // length * size))
    return bytes(raw)


def gguf_seeds():
    f32 = lambda *v: struct.pack("<%df" % len(v), *v)
    put("gguf", "flux_q8", gguf(
        [("general.architecture", GGUF_STRING, "flux"), ("general.name", GGUF_STRING, "seed"),
         ("general.quantization_version", GGUF_U32, 2), ("general.file_type", GGUF_U32, 8)],
        [("double_blocks.0.img_attn.qkv.weight", [32, 2], "Q8_0", ggml_bytes("Q8_0", 64, 1)),
         ("img_in.bias", [4], "F32", f32(1, 2, 3, 4)),
         ("img_in.weight", [2, 2], "F16", b"\x00\x3c\x00\xc0\x00\x38\x00\x00")]))
    put("gguf", "sd1_bare_v2", gguf(
        [], [("input_blocks.1.1.proj_in.weight", [1, 1, 2, 2], "F32", f32(1, 2, 3, 4)),
             ("input_blocks.0.0.weight", [32, 1], "Q4_0", ggml_bytes("Q4_0", 32, 2))], version=2))
    put("gguf", "sdcpp_prefixed", gguf(
        [("general.alignment", GGUF_U32, 64)],
        [("model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight", [32], "Q5_0",
          ggml_bytes("Q5_0", 32, 3)),
         ("model.diffusion_model.x_embedder.proj.bias", [2], "BF16", b"\x80\x3f\x00\xc0")],
        alignment=64))
    put("gguf", "kquants", gguf(
        [("general.architecture", GGUF_STRING, "sdxl")],
        [("k.%s" % t, [256], t, ggml_bytes(t, 256, i)) for i, t in
         enumerate(["Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"])] +
        [("q.Q4_1", [32], "Q4_1", ggml_bytes("Q4_1", 32, 7)),
         ("q.Q5_1", [32], "Q5_1", ggml_bytes("Q5_1", 32, 8)),
         ("q.IQ4_NL", [32], "IQ4_NL", ggml_bytes("IQ4_NL", 32, 9))]))
    put("gguf", "comfy_reshaped", gguf(
        [("comfy.gguf.orig_shape.conv.weight", GGUF_ARRAY, (GGUF_I32, [8, 4, 2, 2]))],
        [("conv.weight", [32, 4], "Q8_0", ggml_bytes("Q8_0", 128, 4))]))
    put("gguf", "metadata_all", gguf(
        [("u8", GGUF_U8, 200), ("i8", GGUF_I8, -5), ("u16", GGUF_U16, 60000),
         ("i16", GGUF_I16, -300), ("u32", GGUF_U32, 4000000000), ("i32", GGUF_I32, -70000),
         ("f32", GGUF_F32, 1.5), ("bool", GGUF_BOOL, 1), ("u64", GGUF_U64, 1 << 40),
         ("i64", GGUF_I64, -(1 << 40)), ("f64", GGUF_F64, -2.5),
         ("tokens", GGUF_ARRAY, (GGUF_STRING, ["<pad>", "</s>", "\u2581hola"])),
         ("nested", GGUF_ARRAY, (GGUF_ARRAY, [(GGUF_I8, [1, -1]), (GGUF_I8, [])]))],
        []))


def exif_user_comment(text):
    """A big-endian TIFF block: IFD0 -> Exif IFD -> UserComment = "UNICODE\\0" + UTF-16BE."""
    comment = b"UNICODE\0" + text.encode("utf-16-be")
    ifd0 = struct.pack(">H", 1) + struct.pack(">HHII", 0x8769, 4, 1, 8 + 18) + struct.pack(">I", 0)
    exif_ifd = (struct.pack(">H", 1) + struct.pack(">HHII", 0x9286, 7, len(comment), 8 + 18 + 18) +
                struct.pack(">I", 0))
    return b"MM\x00\x2a" + struct.pack(">I", 8) + ifd0 + exif_ifd + comment


if __name__ == "__main__":
    main()
    sys.exit(0)
