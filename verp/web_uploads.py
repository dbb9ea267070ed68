"""Clip uploads in resumable chunks on the server's own routes: the tus 1.0 core protocol and its creation
extension.

Streamlit's uploader holds a whole file in the server's memory; here each chunk is appended to a file in
the data folder as it arrives, so three 500 MB clips at once cost little memory, and a phone on school
Wi-Fi that drops the connection asks where the upload stands (``HEAD``) and carries on from there.

- ``POST /api/uploads`` with ``Upload-Length`` and ``Upload-Metadata: filename <base64>`` creates an
  upload and answers ``201`` with its ``Location``;
- ``PATCH /api/uploads/<id>`` with ``Upload-Offset`` and ``Content-Type: application/offset+octet-stream``
  appends a chunk; the chunk that completes the file also makes it a clip (``Verp-Clip-Id``), or answers
  ``422`` with the reason it is not one;
- ``HEAD /api/uploads/<id>`` answers ``Upload-Offset`` (and ``Verp-Upload-State``); ``GET`` the same as
  JSON, with any message.

Every request carries ``Authorization: Bearer <upload token>``: signed, good for a few hours and naming
one person and the sign-in session of the page it was drawn in, which must still be live (signing out
there, or everywhere, ends it); an upload answers only to the person who created it. Plain Starlette: no
Streamlit.
"""

from __future__ import annotations

import base64
import binascii

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from verp.core.config import Settings, load_settings
from verp.core.sessions import person_for_session
from verp.core.store import Store
from verp.core.text import whole_number
from verp.review import uploads
from verp.web_store import route_store

UPLOAD_ROUTE = "/api/uploads"
TUS_VERSION = "1.0.0"
TOKEN_MAX_AGE_S = 3 * 3600
CHUNK_TYPE = "application/offset+octet-stream"
SIGNED_OUT = "Your sign-in for uploads has expired. Please reload the page and choose the file again."
SIGN_IN_CHECK_BYTES = 8 * 1024 * 1024  # one request may carry a whole file: the sign-in is asked again


class SignedOut(Exception):
    """The page's sign-in ended while its bytes were arriving."""


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key(), salt="verp-upload")


def upload_token(settings: Settings, person_id: int, session_id: int | None) -> str:
    """A token that lets one person's signed-in page send clips for a few hours, while that sign-in lasts."""
    return _serializer(settings).dumps({"p": person_id, "s": session_id})


def claims_of_upload_token(settings: Settings, token: str) -> tuple[int, int] | None:
    """The person and the sign-in session a valid token names."""
    try:
        claims = _serializer(settings).loads(token, max_age=TOKEN_MAX_AGE_S)
    except BadSignature:
        return None
    if not isinstance(claims, dict):
        return None
    person_id, session_id = claims.get("p"), claims.get("s")
    return (person_id, session_id) if isinstance(person_id, int) and isinstance(session_id, int) else None


def _signed_in(store: Store, person_id: int, session_id: int) -> bool:
    person = person_for_session(store, session_id)
    return person is not None and person.id == person_id


def _headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **extra}


def _refusal(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status, headers=_headers())


async def _sender(request: Request, store: Store) -> int | None:
    """The person a request speaks for: a valid token of a page whose sign-in is still live."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    claims = claims_of_upload_token(store.settings, token.strip()) if scheme.lower() == "bearer" else None
    if claims is None or not await run_in_threadpool(_signed_in, store, *claims):
        return None
    return claims[0]


async def _still_signed_in(request: Request, store: Store) -> bool:
    return await _sender(request, store) is not None


def _filename(metadata: str) -> str:
    """The ``filename`` entry of tus ``Upload-Metadata`` (``key base64value`` pairs, comma-separated)."""
    for pair in metadata.split(","):
        key, _, value = pair.strip().partition(" ")
        if key == "filename":
            try:
                return base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return ""
    return ""


def _int_header(request: Request, name: str) -> int | None:
    return whole_number(request.headers.get(name))


async def describe(request: Request) -> Response:
    """``OPTIONS``: what this server speaks, and the largest clip it keeps."""
    settings = load_settings()
    extra = {"Tus-Version": TUS_VERSION, "Tus-Extension": "creation"}
    return Response(
        status_code=204, headers=_headers(**extra, **{"Tus-Max-Size": str(settings.max_upload_bytes)})
    )


async def create(request: Request) -> Response:
    store = route_store()
    if request.headers.get("tus-resumable") != TUS_VERSION:
        return _refusal(412, "This upload page is out of date. Please reload it.")
    person_id = await _sender(request, store)
    if person_id is None:
        return _refusal(401, SIGNED_OUT)
    length = _int_header(request, "upload-length")
    if length is None:
        return _refusal(400, "The upload did not say how large the file is.")
    filename = _filename(request.headers.get("upload-metadata", ""))
    try:
        created = await run_in_threadpool(uploads.create_upload, store, person_id, filename, length)
    except uploads.UploadError as exc:
        return _refusal(exc.status, str(exc))
    location = f"{UPLOAD_ROUTE}/{created.upload_id}"
    return Response(status_code=201, headers=_headers(Location=location, **{"Upload-Offset": "0"}))


def _state_headers(current: uploads.UploadStatus) -> dict[str, str]:
    extra = {
        "Upload-Offset": str(current.offset),
        "Upload-Length": str(current.length),
        "Verp-Upload-State": current.state,
    }
    if current.clip_id:
        extra["Verp-Clip-Id"] = current.clip_id
    return _headers(**extra)


async def where(request: Request) -> Response:
    """``HEAD`` (tus: the offset to resume from) or ``GET`` (the same as JSON, with any message)."""
    store = route_store()
    person_id = await _sender(request, store)
    if person_id is None:
        return _refusal(401, SIGNED_OUT)
    try:
        current = uploads.status(store, person_id, request.path_params["upload_id"])
    except uploads.UploadError as exc:
        return _refusal(exc.status, str(exc))
    if request.method == "HEAD":
        return Response(status_code=200, headers=_state_headers(current))
    body = {"state": current.state, "offset": current.offset, "length": current.length}
    return JSONResponse({**body, "clip_id": current.clip_id, "message": current.message}, headers=_headers())


async def append(request: Request) -> Response:
    """``PATCH``: append one chunk as it arrives; the chunk that completes the file makes it a clip."""
    store = route_store()
    if request.headers.get("content-type") != CHUNK_TYPE:
        return _refusal(415, "A chunk must be sent as application/offset+octet-stream.")
    person_id = await _sender(request, store)
    if person_id is None:
        return _refusal(401, SIGNED_OUT)
    upload_id = request.path_params["upload_id"]
    offset = _int_header(request, "upload-offset")
    if offset is None:
        return _refusal(400, "The chunk did not say where it belongs.")
    try:
        await _receive(request, store, person_id, upload_id, offset)
        if not await _still_signed_in(request, store):  # nothing becomes a clip after a sign-out
            raise SignedOut
        current = await run_in_threadpool(uploads.finish_upload, store, person_id, upload_id)
    except SignedOut:
        return _refusal(401, SIGNED_OUT)
    except uploads.UploadTooLarge as exc:
        uploads.discard_upload(store, upload_id)
        return _refusal(exc.status, str(exc))
    except uploads.UploadError as exc:
        return _refusal(exc.status, str(exc))
    if current.state == uploads.FAILED:
        return _refusal(422, current.message)
    return Response(status_code=204, headers=_state_headers(current))


async def _receive(request: Request, store: Store, person_id: int, upload_id: str, offset: int) -> None:
    """Write the request body to the upload's file chunk by chunk; never past the announced length."""
    current = uploads.status(store, person_id, upload_id)
    limit = current.length - offset
    declared = _int_header(request, "content-length")
    if declared is not None and declared > limit:
        raise uploads.UploadTooLarge(_too_long(store, current))
    received = unchecked = 0
    with uploads.open_for_append(store, person_id, upload_id, offset) as out:
        try:
            async for chunk in request.stream():
                received += len(chunk)
                unchecked += len(chunk)
                if received > limit:  # a sender that sends more than it said: stop reading at once
                    raise uploads.UploadTooLarge(_too_long(store, current))
                if unchecked >= SIGN_IN_CHECK_BYTES:  # signed out meanwhile: not one byte more
                    if not await _still_signed_in(request, store):
                        raise SignedOut
                    unchecked = 0
                out.write(chunk)
        except ClientDisconnect:
            pass  # the bytes so far are kept; the sender asks for the offset and resumes


def _too_long(store: Store, current: uploads.UploadStatus) -> str:
    if current.length >= store.settings.max_upload_bytes:
        return uploads.too_large_message(store.settings.max_upload_bytes)
    return "The file is larger than the upload announced. Please choose it again."


def upload_routes() -> list[Route]:
    return [
        Route(UPLOAD_ROUTE, create, methods=["POST"]),
        Route(UPLOAD_ROUTE, describe, methods=["OPTIONS"]),
        Route(UPLOAD_ROUTE + "/{upload_id}", where, methods=["HEAD", "GET"]),
        Route(UPLOAD_ROUTE + "/{upload_id}", append, methods=["PATCH"]),
    ]
