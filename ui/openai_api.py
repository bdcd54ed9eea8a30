"""The OpenAI-compatible API under `/v1`, on the web app's host and port.

Tools that speak OpenAI's chat API (the official clients, Open WebUI, n8n, a Kommune's own
scripts) ask the assistant with a bearer token from `rathaus tokens create`. Every request goes
through the same `AskingService.ask` as the chat: the token's user's rights decide the
collections, and the audit log records the question under that user.

- `GET /v1/models`: `rathaus` (every collection the user may read) and `rathaus:<collection>`.
- `POST /v1/chat/completions`: the last user message is the question, earlier user/assistant
  turns are the conversation. The answer text carries the [n] markers; `citations` (document,
  §, page, quote, collection, as `rathaus ask --json`), `refused`, `kind` and `label` are
  extra fields of the completion (and of the last chunk when streaming).

Streaming sends only the checked answer: the model's draft is checked sentence by sentence
before anyone sees it, and a client cannot take back text it has already shown. While the
answer is checked, SSE comments keep proxies from closing the connection.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from jsonschema import Draft202012Validator

from assistant.answer.conversation import Turn
from assistant.answer.result import Answer
from assistant.identity.access import ReadScope
from assistant.identity.accounts import User
from assistant.wiring import Services
from core.errors import AccountError, AssistantError, BackendUnavailable, StoreError

MODEL = "rathaus"
KEEP_ALIVE_SECONDS = 5.0
SPEC_PATH = Path(__file__).with_name("openapi_v1.yaml")
_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "QUERY",
                 "CONNECT")
_CHUNK_WORDS = re.compile(r"\S+\s*")


class ApiError(Exception):
    """An error in OpenAI's shape: HTTP status, type, code, message (German, for people)."""

    def __init__(self, status: int, message: str, kind: str, code: str | None = None,
                 param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.code, self.param = (status, message, kind,
                                                                       code, param)

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.kind, "param": self.param,
                          "code": self.code}}

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


@cache
def openapi_spec() -> dict[str, Any]:
    """The API's OpenAPI 3.1 description (served at /v1/openapi.json)."""
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@cache
def _request_validator() -> Draft202012Validator:
    spec = openapi_spec()
    return Draft202012Validator({"$ref": "#/components/schemas/ChatRequest",
                                 "components": spec["components"]})


def check_request(body: Any) -> dict[str, Any]:
    """The request body as the schema documents it, else a 400 that names the field."""
    error = next(iter(sorted(_request_validator().iter_errors(body),
                             key=lambda e: len(e.absolute_path))), None)
    if error is None:
        return body
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    param = where.lstrip(".") or None
    shown = f"„{param}“" if param else "Der Anfragetext"
    raise ApiError(400, f"{shown} entspricht nicht dem Schema der API (/v1/openapi.json): "
                        f"{error.message[:300]}", "invalid_request_error", param=param)


def _error_for(exc: AssistantError) -> ApiError:
    if isinstance(exc, AccountError):
        return ApiError(403, exc.message_de, "permission_error", "collection_forbidden")
    if isinstance(exc, StoreError | BackendUnavailable):
        return ApiError(503, exc.message_de, "server_error", "unavailable")
    return ApiError(400, exc.message_de, "invalid_request_error")


def _text(content: Any) -> str:
    """A message's text: a string, or OpenAI's list of parts (text parts only)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content
                        if isinstance(p, dict) and p.get("type") == "text")
    return ""


def conversation(messages: Any) -> tuple[str, list[Turn]]:
    """The question (the last user message) and the earlier turns (user question plus the
    assistant's reply that followed it)."""
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "„messages“ muss eine nicht leere Liste sein.",
                       "invalid_request_error", param="messages")
    turns: list[Turn] = []
    question = ""
    for message in messages:
        if not isinstance(message, dict):
            raise ApiError(400, "Jede Nachricht braucht „role“ und „content“.",
                           "invalid_request_error", param="messages")
        role, text = message.get("role"), _text(message.get("content")).strip()
        if role == "user":
            if question:
                turns.append(Turn(question))
            question = text
        elif role == "assistant" and question:
            turns.append(Turn(question, text))
            question = ""
    if not question:
        raise ApiError(400, "Die letzte Nachricht muss eine Frage (role „user“) sein.",
                       "invalid_request_error", param="messages")
    return question, turns


def _extras(answer: Answer) -> dict[str, Any]:
    data = answer.to_json()
    return {key: data[key] for key in ("citations", "refused", "kind", "label", "as_of", "notes")}


def completion(answer: Answer, model: str) -> dict[str, Any]:
    return {"id": f"chatcmpl-{secrets.token_hex(12)}", "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer.answer}}],
            **_extras(answer)}


def _chunk(ident: str, created: int, model: str, delta: dict[str, Any],
           finish: str | None = None, **extra: Any) -> str:
    body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def stream(pending: asyncio.Future, model: str) -> AsyncIterator[str]:
    """SSE in OpenAI's chunk format: the role at once, keep-alive comments while the answer is
    built and checked, then its text, then a last chunk with the citations, then [DONE]."""
    ident, created = f"chatcmpl-{secrets.token_hex(12)}", int(time.time())
    yield _chunk(ident, created, model, {"role": "assistant", "content": ""})
    while True:
        done, _ = await asyncio.wait({pending}, timeout=KEEP_ALIVE_SECONDS)
        if done:
            break
        yield ": prüfe die Antwort\n\n"
    try:
        answer: Answer = pending.result()
    except AssistantError as exc:
        error = _error_for(exc)
        yield f"data: {json.dumps(error.body(), ensure_ascii=False)}\n\n"
        return
    for piece in _CHUNK_WORDS.findall(answer.answer):
        yield _chunk(ident, created, model, {"content": piece})
    yield _chunk(ident, created, model, {}, "stop", **_extras(answer))
    yield "data: [DONE]\n\n"


def models(services: Services, user: User) -> dict[str, Any]:
    created = int(time.time())
    names = [MODEL] + [f"{MODEL}:{c}" for c in services.access.readable_collections(user)]
    return {"object": "list",
            "data": [{"id": name, "object": "model", "created": created, "owned_by": MODEL}
                     for name in names]}


def scope_of(model: Any, services: Services, user: User) -> ReadScope:
    """The one rights check of a request: `rathaus` -> every readable collection;
    `rathaus:bauamt` -> "bauamt" (403 when the user may not read it, 404 when it does not
    exist)."""
    name = str(model or MODEL)
    if name == MODEL:
        return services.access.scope(user)
    prefix, _, collection = name.partition(":")
    if prefix != MODEL or collection not in services.access.collections():
        raise ApiError(404, f"Das Modell „{name}“ gibt es nicht (siehe /v1/models).",
                       "invalid_request_error", "model_not_found", "model")
    try:
        return services.access.scope(user, [collection])
    except AccountError as exc:
        raise _error_for(exc) from exc


def bearer_user(request: Request, services: Services) -> User:
    """The user a valid `Authorization: Bearer` token belongs to, else 401."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    name = services.tokens.user_for(secret.strip()) if scheme.lower() == "bearer" else None
    user = services.access.user(name) if name else None
    if user is None:
        raise ApiError(401, "Ungültiges oder fehlendes API-Token (rathaus tokens create).",
                       "invalid_request_error", "invalid_api_key")
    return user


def router(services: Services) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.get("/openapi.json")
    def describe() -> Response:
        return JSONResponse(openapi_spec())

    @api.get("/models")
    def list_models(request: Request) -> Response:
        try:
            return JSONResponse(models(services, bearer_user(request, services)))
        except ApiError as error:
            return error.response()

    @api.post("/chat/completions")
    async def chat_completions(request: Request) -> Response:
        try:
            user = bearer_user(request, services)
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Der Anfragetext ist kein JSON.",
                               "invalid_request_error") from None
            body = check_request(body)
            model = str(body.get("model") or MODEL)
            scope = scope_of(model, services, user)
            question, history = conversation(body.get("messages"))
            as_of = str(body["as_of"]) if body.get("as_of") else None
        except ApiError as error:
            return error.response()

        def ask() -> Answer:
            return services.asking.ask(question, scope=scope, history=history, as_of=as_of)

        pending = asyncio.ensure_future(asyncio.to_thread(ask))
        if body.get("stream"):
            return StreamingResponse(stream(pending, model), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache",
                                              "X-Accel-Buffering": "no"})
        try:
            return JSONResponse(completion(await pending, model))
        except AssistantError as exc:
            return _error_for(exc).response()

    declared = {route.path: ", ".join(sorted(route.methods)) for route in api.routes
                if isinstance(route, APIRoute)}

    @api.api_route("/{rest:path}", methods=list(_HTTP_METHODS), include_in_schema=False)
    def elsewhere(rest: str, request: Request) -> Response:
        """Every other method or path under /v1: an error in the API's shape (the Gradio app
        behind would answer with its own 404)."""
        allowed = declared.get(f"/v1/{rest}")
        if allowed:
            error = ApiError(405, f"{request.method} ist für /v1/{rest} nicht erlaubt "
                                  f"(erlaubt: {allowed}).", "invalid_request_error",
                             "method_not_allowed")
            response = error.response()
            response.headers["Allow"] = allowed
            return response
        return ApiError(404, f"Den Pfad /v1/{rest[:200]} gibt es nicht (siehe /v1/openapi.json).",
                        "invalid_request_error", "not_found").response()

    return api
