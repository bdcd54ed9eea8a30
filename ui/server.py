"""The web server: our own login, sessions and logout in front of the Gradio app, on one host
and port.

Gradio's built-in login keeps sessions forever and cannot see the client address, so logins are
handled here (lockout per user and per address, audited; sessions that expire and end on the
server at logout) and Gradio is mounted behind them: it asks `session_user` on every request.
`gradio_client.Client(url, auth=(user, password))` logs in through the same `POST /login`.
"""

from __future__ import annotations

import html
import sys

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from assistant.identity.login import LoginRefused, LoginService
from assistant.identity.sso import SsoNameRefused, TrustedHeaderAuth
from assistant.wiring import Services
from core.errors import AssistantError
from ui import openai_api
from ui.app import CSS, build_app, local_theme

COOKIE = "rathaus_session"
_HEAD = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>{title} – Rathaus-Assistent</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{font-family: "Source Sans Pro", "Segoe UI", Helvetica, Arial, sans-serif;
  background: #f4f5f7; display: flex; justify-content: center; margin-top: 12vh;}}
form, main {{background: #fff; padding: 2em 2.5em; border-radius: 6px; box-shadow: 0 1px 4px #0002;
  min-width: 20em; max-width: 40em;}}
label {{display: block; margin-top: 1em; font-weight: 600;}}
input {{width: 100%; padding: .5em; margin-top: .3em; box-sizing: border-box;}}
button {{margin-top: 1.5em; width: 100%; padding: .6em; background: #1f4e79; color: #fff;
  border: 0; border-radius: 4px; font-size: 1em; cursor: pointer;}}
.error {{color: #a00; margin-top: 1em;}}
</style></head>
"""
_LOGIN = """<body><form method="post" action="/login">
<h2>Rathaus-Assistent</h2><p>Bitte mit Ihrem Benutzerkonto anmelden.</p>
<label for="username">Benutzername</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Passwort</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
{error}<button type="submit">Anmelden</button>
</form></body></html>"""
_REFUSED = """<body><main><h2>Rathaus-Assistent</h2>
<p class="error" role="alert" id="sso-refused">{message}</p></main></body></html>"""


def login_page(error: str = "") -> str:
    shown = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return _HEAD.format(title="Anmelden") + _LOGIN.format(error=shown)


def refusal_page(message: str) -> str:
    """The page for a single sign-on that cannot become a user here (the reason in German)."""
    return (_HEAD.format(title="Anmeldung nicht möglich")
            + _REFUSED.format(message=html.escape(message)))


def _peer(request: Request) -> str:
    return request.client.host if request.client else "unbekannt"


def _mount(app: FastAPI, services: Services, **auth) -> FastAPI:
    web = services.settings.web
    demo = build_app(services).queue(default_concurrency_limit=2)
    return gr.mount_gradio_app(app, demo, path="/", css=CSS, theme=local_theme(),
                               max_file_size=f"{web.max_upload_mb:g}mb", footer_links=[], **auth)


class Visitor:
    """Who a request comes from: the client address and the user (session cookie, or the
    reverse proxy's sign-on header when single sign-on is configured)."""

    def __init__(self, login: LoginService, sso: TrustedHeaderAuth | None) -> None:
        self.login = login
        self.sso = sso

    def address(self, request: Request) -> str:
        peer = _peer(request)
        return self.sso.client_address(request.headers, peer) if self.sso else peer

    def user(self, request: Request) -> str | None:
        if self.sso is not None:
            try:
                name = self.sso.user_for(request.headers, _peer(request))
            except AssistantError:
                return None
            if name:
                return name
        return self.login.session_user(request.cookies.get(COOKIE))


def add_login_routes(app: FastAPI, visitor: Visitor) -> None:
    """`/login` (page and form), `/logout`, and the redirect of a visitor without session."""
    login = visitor.login

    @app.get("/login", response_class=HTMLResponse)
    def show_login() -> str:
        return login_page()

    @app.post("/login")
    async def do_login(request: Request) -> Response:
        form = await request.form()
        wants_page = "text/html" in request.headers.get("accept", "")
        try:
            token = login.login(str(form.get("username", "")).strip(),
                                str(form.get("password", "")), visitor.address(request))
        except LoginRefused as refused:
            if wants_page:
                return HTMLResponse(login_page(refused.message_de), status_code=401)
            return JSONResponse({"detail": refused.message_de}, status_code=401)
        response: Response = (RedirectResponse("/", status_code=303) if wants_page
                              else JSONResponse({"success": True}))
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")
        return response

    @app.get("/logout")
    def do_logout(request: Request) -> Response:
        login.logout(request.cookies.get(COOKIE), visitor.address(request))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.middleware("http")
    async def to_login_page(request: Request, call_next):
        if (request.method == "GET" and request.url.path == "/"
                and visitor.user(request) is None):
            return RedirectResponse("/login", status_code=303)
        return await call_next(request)


def check_single_sign_on(app: FastAPI, sso: TrustedHeaderAuth) -> None:
    """A sign-on header from an address that is not the proxy: 403 on every path (audited). A
    name from the proxy that the account rules refuse: 403 with a page naming the rule (the
    API under /v1 is left alone: it authenticates with tokens, not with the header)."""

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if sso.carries_identity(request.headers):
            api = request.url.path.startswith("/v1/")
            try:
                if not (api and sso.is_proxy(_peer(request))):
                    sso.user_for(request.headers, _peer(request))
            except SsoNameRefused as refused:
                if "text/html" in request.headers.get("accept", ""):
                    return HTMLResponse(refusal_page(refused.message_de), status_code=403)
                return JSONResponse({"detail": refused.message_de}, status_code=403)
            except AssistantError as refused:
                return JSONResponse({"detail": refused.message_de}, status_code=403)
        return await call_next(request)


def build_server(services: Services) -> FastAPI:
    """The whole web server as an ASGI app (tests and `rathaus serve` use the same one): the
    OpenAI-compatible API under /v1, the login, and the Gradio app."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(openai_api.router(services))
    sso = services.single_sign_on
    auth = {}
    if not services.settings.web.allow_anonymous:
        visitor = Visitor(services.login, sso)
        add_login_routes(app, visitor)
        auth["auth_dependency"] = visitor.user
    if sso is not None:  # added last: the outermost middleware, before any redirect
        check_single_sign_on(app, sso)
    return _mount(app, services, **auth)


def launch(services: Services, *, host: str, port: int) -> None:
    """Serve until stopped (blocking)."""
    import uvicorn

    server = build_server(services)
    print(f"Rathaus-Assistent läuft auf http://{host}:{port}/", file=sys.stderr, flush=True)
    # proxy_headers off: the peer address must be the real one (single sign-on trusts only the
    # configured proxy addresses; X-Forwarded-For is read by `Visitor.address` behind them)
    uvicorn.run(server, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5,
                proxy_headers=False)
