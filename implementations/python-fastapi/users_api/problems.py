"""RFC 9457 problem objects, and the exception handlers that answer every error with one.

FastAPI's own handlers answer ``{"detail": ...}`` as application/json, and every body that fails
validation, malformed JSON included, as 422. These replace them, as FastAPI's "Handling Errors"
guide shows (``app.exception_handler``)."""

from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

# RFC 9110's reason phrases where Python's HTTPStatus still has the older ones.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


def problem(
    status: int, detail: str, errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return ProblemResponse(body, status_code=status, headers=headers)


def pointer(loc: tuple[int | str, ...]) -> str:
    """An RFC 6901 pointer from pydantic's location inside the body ("~" and "/" escaped)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in loc)


def allowed_methods(routes: list[APIRoute], scope: Scope) -> str:
    """Every method the request's path takes. Starlette's 405 names only the methods of the first
    route that matched the path, and the collection has two (GET and HEAD, POST)."""
    methods: set[str] = set()
    for route in routes:
        if route.matches(scope)[0] != Match.NONE:
            methods |= route.methods
    return ", ".join(m for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") if m in methods)


async def validation_error(request: Request, exc: RequestValidationError) -> ProblemResponse:
    """400 for what is not a well-formed request, 422 with a pointer per member at fault for a
    well-formed body that breaks the rules."""
    errors = exc.errors()
    for e in errors:
        where = e["loc"][0]
        if e["type"] == "json_invalid":
            return problem(400, "the body is not well-formed JSON")
        if where == "body" and e["type"] == "missing" and len(e["loc"]) == 1:
            return problem(400, "the body is empty")  # FastAPI skips parsing an empty body
        if where in ("path", "query"):
            return problem(400, BAD_PARAMETER[e["loc"][-1]])
    fields = [{"pointer": pointer(e["loc"][1:]), "detail": message(e)} for e in errors]
    return problem(
        422, "; ".join(f"{f['pointer'][1:]}: {f['detail']}" if f["pointer"] else f["detail"] for f in fields), fields
    )


BAD_PARAMETER = {
    "user_id": "the user id must be a non-negative base-10 integer within 64 bits",
    "page": "page must be a base-10 integer within 64 bits",
    "per_page": "per_page must be a base-10 integer within 64 bits",
}

MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a member of a user",
    "string_type": "must be a string",
    "model_type": "the body must be a JSON object",
    "model_attributes_type": "the body must be a JSON object",
}


def message(e: dict[str, Any]) -> str:
    if e["type"] == "string_type" and e.get("input", 0) is None:
        return "must not be null"
    if e["type"] == "string_pattern_mismatch":
        return (
            "must contain a character that is not whitespace"
            if e["loc"][-1] == "name"
            else "must look like name@domain.tld"
        )
    if e["type"] in ("string_too_short", "string_too_long"):
        return "must be 1 to 100 characters long" if e["loc"][-1] == "name" else "must be at most 254 characters long"
    return MESSAGES.get(e["type"], str(e["msg"]))


async def server_error(request: Request, exc: Exception) -> ProblemResponse:
    # Starlette logs the exception after this answer; the body says nothing of it.
    return problem(500, "the server failed to handle the request")


def install(app: FastAPI, *routers: APIRouter) -> None:
    """Replaces FastAPI's handlers; call it once every route is declared (for Allow)."""
    routes = [r for source in (app.router, *routers) for r in source.routes if isinstance(r, APIRoute)]

    async def http_error(request: Request, exc: StarletteHTTPException) -> ProblemResponse:
        headers = dict(exc.headers or {})
        detail = exc.detail
        if exc.status_code == 404 and detail == "Not Found":  # the router's: no route for the path
            detail = f"no resource at {request.url.path}"
        elif exc.status_code == 405:
            headers["Allow"] = allowed_methods(routes, request.scope)
            detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
        elif exc.status_code == 413:  # FastAPI's max_body_size
            detail = "the body must not exceed 1048576 bytes"
        elif exc.status_code == 400 and detail == "There was an error parsing the body":
            detail = "the body is not well-formed JSON"  # e.g. invalid UTF-8
        return problem(exc.status_code, str(detail), headers=headers)

    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, server_error)
