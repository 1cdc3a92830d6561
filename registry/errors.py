"""Domain errors. Each carries a stable code and the HTTP status it maps to.

The library knows nothing of HTTP frameworks: `status` is a plain number that
the one exception handler in api/ turns into a response, and that the CLI
turns into an exit code. The message is a `Text`, Chinese and English apart: each
edge (a page, the API's error body, the command line) shows the reader's language.
"""

from __future__ import annotations

from typing import Any

from registry.bilingual import Text


class RegistryError(Exception):
    status: int = 400
    code: str = "bad_request"
    # Whether the message and details of a 5xx reach the client: only for errors whose
    # every raise site writes its own words and names nothing internal. Others (store
    # failures, which may name paths or endpoints) are answered in general words.
    public_message: bool = False

    def __init__(self, message: Text, details: Any = None) -> None:
        if not isinstance(message, Text):
            # A message in one language only is a bug of the raise site (docs/api.md).
            raise TypeError(f"{type(self).__name__} needs a Text message, not {message!r}")
        super().__init__(str(message))
        self.message = message
        self.details = details

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (upload readers, SPARQL workers) pickled; the
        # default rebuilds from `args`, a str, which the constructor refuses.
        return (_rebuilt, (type(self), self.__dict__.copy()))


def _rebuilt(cls: type[RegistryError], state: dict[str, Any]) -> RegistryError:
    error = cls.__new__(cls)
    Exception.__init__(error, str(state.get("message", "")))
    error.__dict__.update(state)
    return error


class InputError(RegistryError):
    """The input cannot be read: bad syntax, unsafe construct, unknown format."""

    status = 400
    code = "invalid_input"


class UnsupportedFormatError(InputError):
    status = 415
    code = "unsupported_format"


class NothingMappedError(InputError):
    """A document was read, but nothing in it maps to an entry (a DCAT catalogue whose
    datasets have no code, or no dcat:Dataset at all): an error, never "conforms"."""

    status = 422
    code = "nothing_mapped"


class PayloadTooLargeError(InputError):
    status = 413
    code = "payload_too_large"


class GraphTooLargeError(InputError):
    """A dependency graph to draw holds more entries than the server draws at once."""

    code = "graph_too_large"


class NotFoundError(RegistryError):
    status = 404
    code = "not_found"


class ConflictError(RegistryError):
    status = 409
    code = "conflict"


class ForbiddenError(RegistryError):
    status = 403
    code = "forbidden"


class UnauthorizedError(RegistryError):
    status = 401
    code = "unauthorized"


class RateLimitedError(RegistryError):
    """Too many failed attempts from one client; `retry_after` says how many seconds
    to wait (the HTTP layer sends it as `Retry-After`)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: Text, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after


class NotConformingError(RegistryError):
    """A submission with at least one Violation; details carry the report."""

    status = 422
    code = "not_conforming"


class QueryRefusedError(RegistryError):
    """A public SPARQL query outside what the endpoint allows (update, SERVICE, too deep…)."""

    status = 400
    code = "query_refused"


class QueryTimeoutError(RegistryError):
    """A public SPARQL query ran past its time and was stopped."""

    status = 503
    code = "query_timeout"
    # "Ran longer than 10 s": the client must see that its query is too heavy, which
    # "try again" would hide.
    public_message = True


class UploadLimitError(InputError):
    """Reading an upload needed more memory or time than one request may use; the
    worker that read it was stopped (registry/inputs/isolated.py)."""

    code = "upload_limit"


class BusyError(RegistryError):
    """The server takes no more of this kind of work now; `retry_after` says when to try
    again (the HTTP layer sends it as `Retry-After`, with this message: it tells the
    client what to do, and names nothing internal)."""

    status = 503
    code = "busy"

    def __init__(self, message: Text, retry_after: int, details: Any = None) -> None:
        super().__init__(message, details)
        self.retry_after = retry_after


class QueueFullError(BusyError):
    """The job queue holds as many bytes as it may."""

    code = "queue_full"
