#!/usr/bin/env python3
"""Generates a tiny token-classification model for testing headroom_kompress.

Writes three files into OUT_DIR, deterministically (same bytes on every run), with no network
and no third-party package (the ONNX protobuf is encoded by hand below):

- model.onnx      an ONNX graph (opset 17, IR 8) with inputs `input_ids` and `attention_mask`
                  (int64 [batch, seq]) and either
                    * `logits` [batch, seq, 2]       (LLMLingua-2 style, --style llmlingua2), or
                    * `final_scores` [batch, seq]    (Kompress-v2 style, --style kompress_v2;
                                                      [batch, seq, 1] with --scores-3d);
- tokenizer.json  a WordPiece tokenizer in the Hugging Face `tokenizers` format (BERT
                  normalizer and pre-tokenizer, [CLS]/[SEP] template);
- kompress.json   the model's settings (style, max_len, threshold, force-kept words).

The network is an embedding lookup followed by a linear layer. Its weights make the keep
probability meaningful: function words ("the", "of", "and"...) score low, punctuation low,
content words high (with a small deterministic spread so a percentile threshold has something
to rank), digits highest, and word pieces (letters) in between. It measures the pipeline,
not a language model.

Usage: make-tiny-kompress-model.py OUT_DIR [--style llmlingua2|kompress_v2] [--max-len N]
                                           [--scores-3d]
"""

import argparse
import json
import os
import struct
import zlib

HIDDEN = 8

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

STOPWORDS = """a an the and or but nor of to in on at by for with from as into onto over under
about after before during while if because until upon than then there here also very just so
too is are was were be been being am it its this that these those he she they we you i his her
their our your them him me my mine which who whom whose what when where why how all any some
such can could would should will shall may might must do does did done has have had having
each other both either neither own same only more most much many few""".split()

CONTENT = """time year people way day man woman child world life hand part place case week
company system program question work government number night point home water room mother area
money story fact month lot right study book eye job word business issue side kind head house
service friend father power hour game line end member law car city community name president
team minute idea kid body information back parent face others level office door health person
art war history party result change morning reason research girl guy moment air teacher force
education university college school student river mountain country state nation army church
king queen emperor century science physics chemistry biology energy light music film language
computer network data model file error memory process server client request response token
cache function value type class module package library version build test release window
first last new old good great high small large long little big young important public bad
early late major known called found made used said began became include including located
population established largest second third north south east west city capital museum
player season league club coach record award album song band director actor""".split()

PUNCT = list(".,;:!?'\"()[]{}-_/\\@#$%&*+=<>|~`^")
LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]
DIGITS = [str(d) for d in range(10)]
SUFFIXES = ["##s", "##es", "##ed", "##ing", "##ly", "##er", "##est", "##tion", "##ment",
            "##ness", "##al", "##ic"]


def vocab_and_scores():
    """Returns (tokens in id order, keep score k per token). Logits are [-k, +k]."""
    tokens, scores = [], []

    def add(tok, k):
        if tok not in seen:
            seen.add(tok)
            tokens.append(tok)
            scores.append(k)

    seen = set()
    for s in SPECIALS:
        add(s, 0.0)
    for w in STOPWORDS:
        add(w, -2.0)
    for w in CONTENT:
        # A deterministic spread in [1.0, 2.0) so content words rank among themselves.
        add(w, 1.0 + (zlib.crc32(w.encode()) % 100) / 100.0)
    for d in DIGITS:
        add(d, 3.0)
        add("##" + d, 3.0)
    for p in PUNCT:
        add(p, -1.0)
    for c in LETTERS:
        add(c, 0.4)
        add("##" + c, 0.4)
    for s in SUFFIXES:
        add(s, 0.2)
    return tokens, scores


# --- protobuf encoding (just what ONNX needs) ---------------------------------------------


def varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_varint(field, n):
    return varint(field << 3) + varint(n)


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return varint((field << 3) | 2) + varint(len(data)) + data


FLOAT, INT64 = 1, 7  # TensorProto.DataType
ATTR_INT = 2  # AttributeProto.AttributeType


def tensor(name, dims, dtype, values):
    fmt = {FLOAT: "<%df", INT64: "<%dq"}[dtype] % len(values)
    body = b"".join(f_varint(1, d) for d in dims)
    body += f_varint(2, dtype) + f_bytes(8, name) + f_bytes(9, struct.pack(fmt, *values))
    return body


def attr_int(name, value):
    return f_bytes(1, name) + f_varint(3, value) + f_varint(20, ATTR_INT)


def node(op, inputs, outputs, name, attrs=()):
    body = b"".join(f_bytes(1, i) for i in inputs)
    body += b"".join(f_bytes(2, o) for o in outputs)
    body += f_bytes(3, name) + f_bytes(4, op)
    body += b"".join(f_bytes(5, a) for a in attrs)
    return body


def value_info(name, elem_type, dims):
    shape = b""
    for d in dims:
        dim = f_varint(1, d) if isinstance(d, int) else f_bytes(2, d)
        shape += f_bytes(1, dim)
    tensor_type = f_varint(1, elem_type) + f_bytes(2, shape)
    return f_bytes(1, name) + f_bytes(2, f_bytes(1, tensor_type))


def noise(i, j):
    """A small deterministic value in [-0.05, 0.05)."""
    return ((zlib.crc32(("%d:%d" % (i, j)).encode()) % 1000) - 500) / 10000.0


def build_model(style, scores, scores_3d):
    vocab = len(scores)
    emb = []
    for i, k in enumerate(scores):
        emb.append(k)
        emb.extend(noise(i, j) for j in range(1, HIDDEN))
    inits = [tensor("embedding", [vocab, HIDDEN], FLOAT, emb)]
    nodes = [
        node("Gather", ["embedding", "input_ids"], ["hidden"], "embed", [attr_int("axis", 0)]),
        node("Cast", ["attention_mask"], ["mask_f"], "mask_cast", [attr_int("to", FLOAT)]),
    ]
    if style == "llmlingua2":
        w = []
        for j in range(HIDDEN):
            w.extend([-1.0, 1.0] if j == 0 else [noise(-1, j), noise(-2, j)])
        inits += [
            tensor("classifier.weight", [HIDDEN, 2], FLOAT, w),
            tensor("classifier.bias", [2], FLOAT, [0.0, 0.0]),
            tensor("axes_last", [1], INT64, [2]),
        ]
        nodes += [
            node("MatMul", ["hidden", "classifier.weight"], ["proj"], "classifier_matmul"),
            node("Add", ["proj", "classifier.bias"], ["raw_logits"], "classifier_add"),
            node("Unsqueeze", ["mask_f", "axes_last"], ["mask_3d"], "mask_unsqueeze"),
            node("Mul", ["raw_logits", "mask_3d"], ["logits"], "apply_mask"),
        ]
        output = value_info("logits", FLOAT, ["batch", "seq", 2])
    else:
        w = [2.0 if j == 0 else noise(-3, j) for j in range(HIDDEN)]
        inits += [
            tensor("scorer.weight", [HIDDEN, 1], FLOAT, w),
            tensor("scorer.bias", [1], FLOAT, [0.0]),
            tensor("axes_last", [1], INT64, [2]),
        ]
        nodes += [
            node("MatMul", ["hidden", "scorer.weight"], ["proj"], "scorer_matmul"),
            node("Add", ["proj", "scorer.bias"], ["raw"], "scorer_add"),
            node("Sigmoid", ["raw"], ["prob_3d"], "scorer_sigmoid"),
        ]
        if scores_3d:
            nodes += [
                node("Unsqueeze", ["mask_f", "axes_last"], ["mask_3d"], "mask_unsqueeze"),
                node("Mul", ["prob_3d", "mask_3d"], ["final_scores"], "apply_mask"),
            ]
            output = value_info("final_scores", FLOAT, ["batch", "seq", 1])
        else:
            nodes += [
                node("Squeeze", ["prob_3d", "axes_last"], ["prob"], "scorer_squeeze"),
                node("Mul", ["prob", "mask_f"], ["final_scores"], "apply_mask"),
            ]
            output = value_info("final_scores", FLOAT, ["batch", "seq"])

    graph = b"".join(f_bytes(1, n) for n in nodes)
    graph += f_bytes(2, "tiny_kompress_" + style)
    graph += b"".join(f_bytes(5, t) for t in inits)
    graph += f_bytes(11, value_info("input_ids", INT64, ["batch", "seq"]))
    graph += f_bytes(11, value_info("attention_mask", INT64, ["batch", "seq"]))
    graph += f_bytes(12, output)

    opset = f_bytes(1, "") + f_varint(2, 17)
    model = f_varint(1, 8)  # ir_version
    model += f_bytes(2, "headroom-native make-tiny-kompress-model")
    model += f_bytes(3, "1")
    model += f_bytes(7, graph)
    model += f_bytes(8, opset)
    return model


def build_tokenizer(tokens):
    def special(name):
        return {"id": name, "ids": [tokens.index(name)], "tokens": [name]}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": i,
                "content": s,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for i, s in enumerate(SPECIALS)
        ],
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            "strip_accents": None,
            "lowercase": True,
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}},
            ],
            "special_tokens": {"[CLS]": special("[CLS]"), "[SEP]": special("[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": {t: i for i, t in enumerate(tokens)},
        },
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--style", choices=["llmlingua2", "kompress_v2"], default="llmlingua2")
    ap.add_argument("--max-len", type=int, default=512)
    ap.add_argument("--scores-3d", action="store_true")
    args = ap.parse_args()

    tokens, scores = vocab_and_scores()
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "model.onnx"), "wb") as f:
        f.write(build_model(args.style, scores, args.scores_3d))
    with open(os.path.join(args.out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(build_tokenizer(tokens), f, indent=1, sort_keys=False, ensure_ascii=False)
        f.write("\n")
    settings = {
        "style": args.style,
        "max_len": args.max_len,
        "threshold": 0.5,
        "force_keep": ["not", "no", "never"],
    }
    with open(os.path.join(args.out_dir, "kompress.json"), "w", encoding="utf-8") as f:
        json.dump(settings, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
