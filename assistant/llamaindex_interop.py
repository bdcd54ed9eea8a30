"""llama-index interop: the product's retriever and answer pipeline as llama-index objects.

A developer can put `RathausRetriever` into any llama-index pipeline (a `RetrieverQueryEngine`,
postprocessors, a router) and keep the product's German hybrid retrieval and its rights check,
or call `RathausQueryEngine` wherever llama-index expects a query engine and get the product's
checked answers, refusals and citations. llama-index types stay inside this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.prompts.mixin import PromptMixinType
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from assistant.asking import AskingService
from assistant.identity.accounts import User
from vectorstore.results import SearchResult, source_label

CITATION_KEYS = ("doc", "title", "section", "page", "collection", "path", "citation")


def to_node(result: SearchResult) -> NodeWithScore:
    """A passage as a llama-index node, carrying what a citation needs in its metadata."""
    metadata = {"doc": result.doc, "title": result.title, "section": result.section,
                "page": result.page, "collection": result.collection, "path": result.path,
                "citation": source_label(result.doc, result.section, result.page)}
    node = TextNode(id_=result.chunk_id, text=result.text, metadata=metadata,
                    excluded_embed_metadata_keys=list(CITATION_KEYS),
                    excluded_llm_metadata_keys=["path", "collection"])
    return NodeWithScore(node=node, score=result.score)


class RathausRetriever(BaseRetriever):
    """The hybrid, rights-aware retriever: only passages `user` may read are returned."""

    def __init__(self, asking: AskingService, *, user: User | None = None,
                 collections: Sequence[str] | None = None, k: int = 5,
                 callback_manager: CallbackManager | None = None) -> None:
        super().__init__(callback_manager=callback_manager)
        self._asking = asking
        self._user = user
        self._collections = list(collections) if collections else None
        self._k = k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        results = self._asking.search(query_bundle.query_str, k=self._k,
                                      collections=self._collections, user=self._user)
        return [to_node(r) for r in results]


class RathausQueryEngine(BaseQueryEngine):
    """The answer pipeline: a checked answer, a verbatim quote or a refusal, with citations.

    `Response.metadata` holds the `rathaus ask --json` fields (`refused`, `kind`, `citations`,
    ...); the question is audited like any other."""

    def __init__(self, asking: AskingService, *, user: User | None = None,
                 collections: Sequence[str] | None = None,
                 callback_manager: CallbackManager | None = None) -> None:
        super().__init__(callback_manager=callback_manager)
        self._asking = asking
        self._user = user
        self._collections = list(collections) if collections else None

    def _query(self, query_bundle: QueryBundle) -> Response:
        answer = self._asking.ask(query_bundle.query_str, collections=self._collections,
                                  user=self._user)
        fields: dict[str, Any] = answer.to_json()
        fields.pop("answer")
        fields.pop("sources")
        return Response(response=answer.answer,
                        source_nodes=[to_node(s) for s in answer.sources], metadata=fields)

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return self._query(query_bundle)

    def _get_prompt_modules(self) -> PromptMixinType:
        return {}
