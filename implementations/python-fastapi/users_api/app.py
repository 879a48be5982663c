"""The users API as a FastAPI application: ``create_app()`` returns the ASGI app."""

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
)
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import problems
from .models import Page, User, UserIn, UserPatch
from .store import Conflict, Store

MAX_BODY = 1_048_576
I64_MAX = 2**63 - 1
I64_MIN = -(2**63)

# FastAPI converts "+5", " 1", "1_000" and "1.0" to int (pydantic's lax mode) and strict mode
# takes no int from a string at all: ids and pagination are strings with a pattern, then int().
UserId = Annotated[str, Path(pattern=r"^[0-9]+$")]
IntParam = Annotated[str | None, Query(pattern=r"^-?[0-9]+$")]


def int64(value: str, name: str) -> int:
    n = int(value)
    if not I64_MIN <= n <= I64_MAX:
        raise HTTPException(400, problems.BAD_PARAMETER[name])
    return n


def json_body(*types: str):
    """A dependency: 415 unless Content-Type is one of `types` (parameters such as charset are
    fine). FastAPI answers 422 to a body of another type, and parses any +json type as JSON."""

    async def check(content_type: Annotated[str | None, Header()] = None) -> None:  # async: no thread pool
        media_type = (content_type or "").split(";")[0].strip().lower()
        if media_type not in types:
            raise HTTPException(415, f"the body must be {' or '.join(types)}")

    return Depends(check)


def etag_of(user: User) -> str:
    """A strong ETag: it changes whenever the user's representation does."""
    return etag_of_json(user.model_dump_json())


def etag_of_json(representation: str) -> str:
    """The ETag of a user's JSON representation (a GET serializes the user once for both)."""
    return '"' + hashlib.sha256(representation.encode()).hexdigest()[:32] + '"'


def if_match_holds(header: str, etag: str) -> bool:
    """RFC 9110 §13.1.1: strong comparison; "*" matches any current representation."""
    return any(tag.strip() in ("*", etag) for tag in header.split(","))


def if_none_match_holds(header: str, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison."""
    return any(tag.strip() in ("*", etag, "W/" + etag) for tag in header.split(","))


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


class StrictJSONRequest(Request):
    """Python's json takes NaN, Infinity and -Infinity, and bodies in UTF-16 or UTF-32 or with a
    byte order mark; JSON (RFC 8259) has none of them. FastAPI answers what this raises 400."""

    async def json(self) -> Any:
        return json.loads((await self.body()).decode("utf-8"), parse_constant=_not_json)


class StrictJSONRoute(APIRoute):
    """Routes whose handlers get a StrictJSONRequest, as FastAPI's guide "Custom Request and
    APIRoute class" shows."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_json_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_json_handler


REQUEST_ID = re.compile(rb"[\x21-\x7e]{1,128}")


class RequestIdMiddleware:
    """Echoes X-Request-Id (1 to 128 visible ASCII characters) or makes one. A pure ASGI
    middleware, as Starlette's docs advise over BaseHTTPMiddleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        sent = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = sent if sent is not None and REQUEST_ID.fullmatch(sent) else secrets.token_hex(16).encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


ENCODED_SLASH_ID = re.compile(rb"/api/users/[^/]*%2[fF][^/]*")


class EncodedSlashMiddleware:
    """Uvicorn hands the app a decoded path (ASGI's `path`), so /api/users/1%2F2 routes as
    /api/users/1/2, a 404. The raw path keeps the escaped slash inside the id segment, which makes
    the id malformed: 400 (RFC 3986 §2.2)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ENCODED_SLASH_ID.fullmatch(scope.get("raw_path") or b""):
            response = problems.problem(400, problems.BAD_PARAMETER["user_id"])
            return await response(scope, receive, send)
        await self.app(scope, receive, send)


class DeclaredBodyLimitMiddleware:
    """FastAPI's max_body_size answers a body whose Content-Length is over the limit with
    Starlette's text/plain 413, whatever the handlers answer (starlette/middleware/body_limit.py
    replaces the response that starts). This answers that case first, unread, with a problem. A
    body sent without Content-Length is counted by the router's max_body_size, whose 413 reaches
    the exception handlers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
            if declared.isdigit() and int(declared) > MAX_BODY:
                response = problems.problem(413, "the body must not exceed 1048576 bytes")
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


def create_app(store: Store | None = None) -> FastAPI:
    users = store or Store()
    app = FastAPI(
        title="users",
        # Any other path is a 404 (no /docs, /redoc or /openapi.json), and /api/users/ is not
        # redirected to /api/users.
        openapi_url=None,
        redirect_slashes=False,
    )
    # Each one added wraps those before it. GZip as in FastAPI's "Advanced Middleware" guide; CORS
    # answers preflights itself.
    app.add_middleware(EncodedSlashMiddleware)
    app.add_middleware(DeclaredBodyLimitMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        expose_headers=["Location", "Link", "X-Total-Count", "X-Request-Id", "ETag"],
    )
    app.add_middleware(RequestIdMiddleware)

    def find(user_id: str) -> User:
        user = users.get(int64(user_id, "user_id"))
        if user is None:
            raise HTTPException(404, f"user {int(user_id)} does not exist")
        return user

    def check_if_match(user: User, if_match: str | None) -> None:
        if if_match is None:
            return
        etag = etag_of(user)
        if not if_match_holds(if_match, etag):
            raise HTTPException(412, f"If-Match does not hold the user's current ETag, {etag}: read the user again")

    # FastAPI routes GET without HEAD: both are named.
    @app.api_route("/health", methods=["GET", "HEAD"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    # The limit on the router, not on the app: there Starlette's 413 would wrap every middleware.
    router = APIRouter(prefix="/api/users", max_body_size=MAX_BODY, route_class=StrictJSONRoute)

    @router.api_route("", methods=["GET", "HEAD"], response_model=Page)
    async def list_users(response: Response, page: IntParam = None, per_page: IntParam = None) -> Page:
        p = max(1, int64(page, "page")) if page is not None else 1
        n = min(100, max(1, int64(per_page, "per_page"))) if per_page is not None else 20
        total = len(users)
        last = max(1, -(-total // n))
        data = users.page((p - 1) * n, n) if p <= last else []

        def link(to: int, rel: str) -> str:
            return f'</api/users?page={to}&per_page={n}>; rel="{rel}"'

        links = (
            [link(1, "first")]
            + ([link(p - 1, "prev")] if p > 1 else [])
            + ([link(p + 1, "next")] if p < last else [])
            + [link(last, "last")]
        )
        response.headers["Link"] = ", ".join(links)
        response.headers["X-Total-Count"] = str(total)
        return Page(data=data, page=p, per_page=n, total=total)

    @router.post("", status_code=201, response_model=User, dependencies=[json_body("application/json")])
    async def create_user(body: UserIn, response: Response) -> User:
        try:
            user = users.create(body)
        except Conflict:
            raise HTTPException(409, "email is already in use") from None
        response.headers["Location"] = f"/api/users/{user.id}"
        return user

    @router.api_route("/{user_id}", methods=["GET", "HEAD"], response_model=User)
    async def get_user(user_id: UserId, request: Request) -> User | Response:
        representation = find(user_id).model_dump_json()
        etag = etag_of_json(representation)
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None and if_none_match_holds(if_none_match, etag):
            return Response(status_code=304, headers={"ETag": etag})
        return Response(representation, media_type="application/json", headers={"ETag": etag})

    @router.put("/{user_id}", response_model=User, dependencies=[json_body("application/json")])
    async def replace_user(user_id: UserId, body: UserIn, if_match: Annotated[str | None, Header()] = None) -> User:
        return update(user_id, body, if_match)

    @router.patch(
        "/{user_id}", response_model=User, dependencies=[json_body("application/json", "application/merge-patch+json")]
    )
    async def patch_user(user_id: UserId, body: UserPatch, if_match: Annotated[str | None, Header()] = None) -> User:
        return update(user_id, body, if_match)

    def update(user_id: str, body: UserIn | UserPatch, if_match: str | None) -> User:
        user = find(user_id)
        check_if_match(user, if_match)
        try:
            return users.update(user, body)
        except Conflict:
            raise HTTPException(409, "email is already in use") from None

    @router.delete("/{user_id}", status_code=204)
    async def delete_user(user_id: UserId, if_match: Annotated[str | None, Header()] = None) -> Response:
        user = find(user_id)
        check_if_match(user, if_match)
        users.delete(user)
        return Response(status_code=204)

    app.include_router(router)
    problems.install(app, router)
    return app
