"""The plain pipeline a user would otherwise script, timed beside the generator.

YAKE on every full article, a TextRank summary per article, TF-IDF over all articles and
agglomerative (average-linkage, cosine) clustering of all of them: every pair is compared.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yake
from segtok.segmenter import split_multi
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from generator.baselines import textrank


def run(articles: Path) -> dict:
    started = time.perf_counter()
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in sorted(articles.rglob("*.txt"))]
    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
    keywords = [extractor.extract_keywords(t) for t in texts]
    summaries = [textrank([s for s in split_multi(t) if s.strip()], 3) for t in texts]
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts).toarray()
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=0.85).fit_predict(matrix)
    return {"seconds": time.perf_counter() - started, "articles": len(texts), "clusters": len(set(labels)),
            "keywords": sum(map(len, keywords)), "summaries": len(summaries)}


if __name__ == "__main__":
    print(run(Path(sys.argv[1])))
