"""OCR of scanned PDF pages with German Tesseract, cached by content hash.

Rendering uses poppler's `pdftoppm`, recognition the `tesseract` binary: both Debian packages, no
Python wrapper needed. A cache entry per (file hash, page, language, dpi) means re-ingesting never
OCRs the same scan twice (~7 s per page on 2 cores).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def tesseract_languages() -> frozenset[str]:
    """Installed Tesseract language packs (empty when Tesseract is missing)."""
    if not shutil.which("tesseract"):
        return frozenset()
    try:
        out = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    lines = (out.stdout + out.stderr).splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and " " not in ln.strip())


class TesseractOcr:
    """Reads page images of a PDF; results cached as JSON under `cache_dir`."""

    def __init__(self, cache_dir: Path, language: str = "deu", dpi: int = 300) -> None:
        self.cache_dir = cache_dir
        self.language = language
        self.dpi = dpi

    def unavailable_reason(self) -> str | None:
        """None when OCR can run, else why not (shown to IT in the 'needs OCR' line)."""
        if not shutil.which("pdftoppm"):
            return "pdftoppm (poppler-utils) not installed"
        if not shutil.which("tesseract"):
            return "tesseract not installed (apt-get install tesseract-ocr tesseract-ocr-deu)"
        missing = [lang for lang in self.language.split("+") if lang not in tesseract_languages()]
        if missing:
            return f"tesseract language pack missing: {', '.join(missing)}"
        return None

    def _cache_file(self, content_hash: str) -> Path:
        return self.cache_dir / f"{content_hash}.{self.language}.{self.dpi}.json"

    def read_pages(self, pdf_path: Path, content_hash: str, pages: list[int]) -> dict[int, str]:
        """Text of the given 1-based pages, from cache where possible."""
        cache_file = self._cache_file(content_hash)
        cached: dict[str, str] = {}
        if cache_file.is_file():
            try:
                cached = json.loads(cache_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                cached = {}
        result: dict[int, str] = {}
        for page in pages:
            if str(page) not in cached:
                log.info("OCR %s page %d", pdf_path.name, page)
                cached[str(page)] = self._ocr_page(pdf_path, page)
                self._write_cache(cache_file, cached)
            result[page] = repair_paragraph_signs(cached[str(page)])  # raw OCR stays cached
        return result

    def _write_cache(self, cache_file: Path, cached: dict[str, str]) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(cached, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache_file)

    def _ocr_page(self, pdf_path: Path, page: int) -> str:
        with tempfile.TemporaryDirectory(prefix="rathaus-ocr-") as tmp:
            prefix = Path(tmp) / "page"
            subprocess.run(
                ["pdftoppm", "-r", str(self.dpi), "-gray", "-png", "-f", str(page), "-l", str(page),
                 "-singlefile", str(pdf_path), str(prefix)],
                check=True, capture_output=True, timeout=300,
            )
            out = subprocess.run(
                ["tesseract", f"{prefix}.png", "stdout", "-l", self.language, "--psm", "3"],
                check=True, capture_output=True, timeout=600,
                env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
            )
        return out.stdout.decode("utf-8", errors="replace")


_MISREAD_HEADING = re.compile(
    r"^[ \t]*(?:8|\$|S|5)[ \t]?(\d{1,3}[a-z]?)(?=[ \t]+[A-ZÄÖÜ]|[ \t]*$)", re.MULTILINE)
_MISREAD_INLINE = re.compile(r"(?<![\w$])\$\s?(?=\d)")


def repair_paragraph_signs(text: str) -> str:
    """Tesseract often reads "§" as "8", "$" or "S"; a § heading is what citations hang on."""
    text = _MISREAD_INLINE.sub("§ ", text)
    return _MISREAD_HEADING.sub(lambda m: f"§ {m.group(1)}", text)
