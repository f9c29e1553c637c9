"""One error model for every service: RFC 9457 problem details (`application/problem+json`).

Every 4xx and 5xx answer is a `Problem`: a stable `type` per kind of error (a URN a client can
switch on, listed in docs/errors.md), a short `title`, the `status`, a readable `detail`, and,
for a refused request, `errors` naming each field and the rule it breaks. No answer ever holds
the submitted value (it may be a NIK typed into the wrong field: `organising_shared.error_reasons`)
nor a stack trace.

Routes raise `ProblemError` (or FastAPI's `HTTPException`, mapped by its status);
`install_problem_details` answers them, request validation and anything unexpected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from organising_shared.error_reasons import safe_location, safe_message

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_TYPE_PREFIX = "urn:organising:problem:"

# The kind of problem each status means when a route says nothing more specific.
_BY_STATUS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "The request cannot be read"),
    401: ("unauthenticated", "A valid bearer token is required"),
    403: ("forbidden", "This token may not do this"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "This method is not allowed here"),
    409: ("conflict", "The request conflicts with what is stored"),
    413: ("payload-too-large", "The request body is too large"),
    415: ("unsupported-media-type", "This content type is not accepted here"),
    422: ("invalid-request", "The request is invalid"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Something went wrong on our side"),
    503: ("unavailable", "A service this needs is not available; try again later"),
}


class FieldProblem(BaseModel):
    field: str = Field(description="Where: `body.sector`, `query.period`, `header.Idempotency-Key`, `row 3.nik`…", examples=["body.sector"])
    reason: str = Field(
        description="The rule it breaks, never the value sent", examples=["Input should be 'chemical', 'garment_textile', …"]
    )


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(
        description="Stable identifier of the kind of problem (docs/errors.md)", examples=["urn:organising:problem:invalid-request"]
    )
    title: str = Field(description="Short, the same for every problem of this type", examples=["The request is invalid"])
    status: int = Field(description="The HTTP status", examples=[422])
    detail: str = Field(description="What went wrong with this request, readable", examples=["body.sector: Input should be 'chemical', …"])
    errors: list[FieldProblem] | None = Field(default=None, description="For a refused request: each field and the rule it breaks")


def problem_type(slug: str) -> str:
    return _TYPE_PREFIX + slug


class ProblemError(Exception):
    """Raised by a route (or a function it calls) to answer with a problem."""

    def __init__(
        self, status: int, detail: str, *, slug: str | None = None, title: str | None = None, errors: Iterable[FieldProblem] = ()
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        default_slug, default_title = _BY_STATUS.get(status, ("error", "Error"))
        self.slug = slug or default_slug
        self.title = title or default_title
        self.errors = list(errors)


def invalid(field: str, reason: str) -> ProblemError:
    """A 422 for one field (`field` as a client sees it: `body.x`, `query.period`)."""
    return ProblemError(422, f"{field}: {reason}", errors=[FieldProblem(field=field, reason=reason)])


def problem_response(error: ProblemError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = Problem(type=problem_type(error.slug), title=error.title, status=error.status, detail=error.detail, errors=error.errors or None)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=error.status, media_type=MEDIA_TYPE, headers=dict(headers or {}))


def field_problems(errors: Iterable[Mapping[str, Any]]) -> list[FieldProblem]:
    """pydantic's errors as fields and rules, without the values sent."""
    return [
        FieldProblem(field=".".join(str(part) for part in safe_location(item.get("loc", ()))) or "request", reason=safe_message(item))
        for item in errors
    ]


def validation_problem(errors: Iterable[Mapping[str, Any]]) -> ProblemError:
    fields = field_problems(errors)
    detail = "; ".join(f"{item.field}: {item.reason}" for item in fields[:5]) or "the request is invalid"
    if len(fields) > 5:
        detail += f"; and {len(fields) - 5} more"
    return ProblemError(422, detail, errors=fields)


def install_problem_details(app: FastAPI) -> None:
    """Answer every error of `app` as a problem."""

    @app.exception_handler(ProblemError)
    async def on_problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(error)

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return problem_response(validation_problem(error.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_exception(request: Request, error: StarletteHTTPException) -> JSONResponse:
        # Routes write their details without values (the privacy rule).
        detail = str(error.detail) if error.detail else _BY_STATUS.get(error.status_code, ("error", "Error"))[1]
        return problem_response(ProblemError(error.status_code, detail), headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        # Logged by kind and route only: an exception's message may quote what was sent.
        route = getattr(request.scope.get("route"), "path", "an unmatched path")  # the template: a path may hold an id
        log.error("unexpected %s answering %s %s", type(error).__name__, request.method, route)
        return problem_response(ProblemError(500, "The request could not be completed; it has been logged."))


# For `responses=` of routers and routes, so that every OpenAPI operation documents its problems.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": title, "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for status, (_, title) in _BY_STATUS.items()
    if status in {401, 403, 404, 422, 500}
}
