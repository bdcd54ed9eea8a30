"""Embedding throughput on CPU: the bundled model in float32 vs. dynamic int8 quantisation.

    python bench/embed_speed.py --data-dir DIR [--n 1024] [--onnx] [--json]

Takes the first N chunk texts of an existing index (with their context prefix, as ingestion
embeds them), embeds them with each variant in ingestion's batches and reports chunks/s and how
close the int8 vectors are to the float32 ones (mean / minimum cosine). The retrieval-quality
change is measured separately with `rathaus eval` on an index built with
`RATHAUS_EMBEDDING__QUANTIZE=int8` (see docs/benchmarks.md).

--onnx also exports the model to ONNX locally (needs `pip install onnx`; nothing is
downloaded) and times ONNX Runtime in float32 and with dynamic int8 weights.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from common import emit, indexed_texts

from assistant.wiring import build_services
from core.config import Settings
from vectorstore.embedders.sentence_model import SentenceTransformerEmbedder


def texts_of(data_dir: Path, n: int) -> list[str]:
    svc = build_services(Settings(data_dir=data_dir))
    texts = indexed_texts(svc, n)
    svc.close()
    return texts


def timed(embedder: SentenceTransformerEmbedder, texts: list[str], batch: int
          ) -> tuple[float, np.ndarray]:
    embedder.embed_documents(texts[:8])  # load + warm up
    started = time.perf_counter()
    vectors = np.vstack([embedder.embed_documents(texts[i:i + batch])
                         for i in range(0, len(texts), batch)])
    return time.perf_counter() - started, vectors


def onnx_variants(embedder: SentenceTransformerEmbedder, texts: list[str],
                  reference: np.ndarray, reference_s: float, work: Path) -> dict:
    """ONNX Runtime on a local export of the same model, mean pooling as the model defines."""
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    st = embedder.model
    names = ["input_ids", "attention_mask", "token_type_ids"]

    class Encoder(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    sample = st.tokenizer(["Probe", "zweite Probe"], padding=True, return_tensors="pt")
    fp32_path, int8_path = work / "model.onnx", work / "model-int8.onnx"
    torch.onnx.export(Encoder(st[0].auto_model.eval()), tuple(sample[n] for n in names),
                      str(fp32_path), input_names=names, output_names=["hidden"],
                      dynamic_axes={**{n: {0: "b", 1: "s"} for n in names},
                                    "hidden": {0: "b", 1: "s"}}, opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()

    def embed(session, chunk: list[str]) -> np.ndarray:
        enc = st.tokenizer(chunk, padding=True, truncation=True, max_length=st.max_seq_length,
                           return_tensors="np")
        hidden = session.run(None, {n: enc[n].astype(np.int64) for n in names})[0]
        mask = enc["attention_mask"][..., None].astype(np.float32)
        vectors = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    figures = {}
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # as sentence-transformers
    for label, path in (("onnx_fp32", fp32_path), ("onnx_int8", int8_path)):
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        embed(session, texts[:8])
        started = time.perf_counter()
        out = np.zeros_like(reference)
        for i in range(0, len(order), 32):
            idx = order[i:i + 32]
            out[idx] = embed(session, [texts[j] for j in idx])
        seconds = time.perf_counter() - started
        cosines = np.sum(out * reference, axis=1)
        figures.update({f"{label}_chunks_per_s": round(len(texts) / seconds, 1),
                        f"{label}_speedup": round(reference_s / seconds, 2),
                        f"{label}_cosine_mean": round(float(cosines.mean()), 4)})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--onnx", action="store_true", help="also time ONNX Runtime")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    texts = texts_of(args.data_dir, args.n)
    batch = 256
    reference_model = SentenceTransformerEmbedder("bundled")
    fp32_s, fp32 = timed(reference_model, texts, batch)
    int8_s, int8 = timed(SentenceTransformerEmbedder("bundled", quantize="int8"), texts, batch)
    cosines = np.sum(fp32 * int8, axis=1)
    result = {"chunks": len(texts), "fp32_chunks_per_s": round(len(texts) / fp32_s, 1),
              "int8_chunks_per_s": round(len(texts) / int8_s, 1),
              "speedup": round(fp32_s / int8_s, 2), "cosine_mean": round(float(cosines.mean()), 4),
              "cosine_min": round(float(cosines.min()), 4)}
    if args.onnx:
        import tempfile

        with tempfile.TemporaryDirectory() as work:
            result.update(onnx_variants(reference_model, texts, fp32, fp32_s, Path(work)))
    emit(result, args.json)


if __name__ == "__main__":
    main()
