"""422 answers without the submitted value, for every service's FastAPI app.

FastAPI's default handler returns pydantic's `input` (the value sent: it may be a NIK typed into
the wrong field) and `ctx`. This one keeps FastAPI's shape, `{"detail": [{type, loc, msg}]}`,
with locations and messages made safe by `organising_shared.error_reasons`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from organising_shared.error_reasons import safe_location, safe_message


def install_safe_validation_errors(app: FastAPI) -> None:
    """Answer 422 in FastAPI's shape (`detail: [{type, loc, msg}]`) without `input` and `ctx`."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        detail = [
            {"type": item.get("type", "value_error"), "loc": safe_location(item.get("loc", ())), "msg": safe_message(item)}
            for item in error.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)
