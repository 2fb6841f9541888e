"""What a failed AWS call says, in one line: the checks quote it and decide on its error code."""

from __future__ import annotations


def one_line(exc: BaseException) -> str:
    """One line about a failed call: the AWS error code and message, or the HTTP status."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = str(error.get("Message", "")).strip()
        if message.startswith("<") or not message:  # an HTML error page: the endpoint lacks this API
            return f"{error.get('Code') or 'error'} (HTTP {status}): the endpoint does not serve this API"
        text = f"{error.get('Code', 'error')}: {message.splitlines()[0]}"
    elif type(exc).__name__ == "ResponseParserError":
        text = "the endpoint answered with something other than an AWS response (it does not serve this API)"
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""
