"""HTTP requests with a JSON body filled from the event (a webhook, a venue API, Companion)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gesture_ros.actions.model import ActionFailed, ActionKind, Target
from gesture_ros.actions.template import render, template_problems
from gesture_ros.actions.yaml_reader import Entries, YamlReader
from gesture_ros.common.gesture_event import GestureEventData

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_NO_BODY = object()


@dataclass(frozen=True)
class HttpTarget:
    base_url: str
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class HttpAction:
    method: str
    path: str
    body: Any  # JSON template, or _NO_BODY


def parse_target(reader: YamlReader, entries: Entries, name: str, base: Path) -> HttpTarget:
    what = f"http target '{name}'"
    base_url = reader.get(entries, "base_url", str, what) or ""
    if base_url:
        import httpx  # only where a map has http targets: it costs start-up time and memory

        try:
            url = httpx.URL(base_url)
            if url.scheme not in ("http", "https") or not url.host:
                raise ValueError("scheme must be http or https, with a host")
        except (ValueError, httpx.InvalidURL) as exc:
            reader.error(reader.node_of(entries, "base_url"), f"base_url '{base_url}' of {what} is not valid: {exc}")
    headers = reader.get(entries, "headers", dict, what, {})
    for key, value in headers.items():
        if not isinstance(value, str):
            reader.error(reader.node_of(entries, "headers"), f"header '{key}' of {what} must be a string")
    return HttpTarget(base_url.rstrip("/"), tuple((str(k), str(v)) for k, v in headers.items()))


def parse_action(reader: YamlReader, entries: Entries, target: Target, what: str) -> HttpAction:
    method = str(reader.get(entries, "method", str, what, "POST")).upper()
    if method not in METHODS:
        reader.error(reader.node_of(entries, "method"),
                     f"method of {what} must be one of {', '.join(METHODS)}, got '{method}'")
    path = reader.get(entries, "path", str, what, "")
    if path and (not path.startswith("/") or "{" in path or " " in path):
        reader.error(reader.node_of(entries, "path"),
                     f"path '{path}' of {what} must start with '/' and hold no spaces or placeholders")
    body = reader.value(entries["json"][1]) if "json" in entries else _NO_BODY
    if body is not _NO_BODY:
        for problem in template_problems(body):
            reader.error(reader.node_of(entries, "json"), f"json of {what}: {problem}")
        if method == "GET":
            reader.error(reader.node_of(entries, "json"), f"{what} is a GET and cannot send a json body")
    return HttpAction(method, path, body)


def describe(target: Target, action: HttpAction | None) -> str:
    base = target.spec.base_url
    return f"{action.method} {base}{action.path}" if action else base


class HttpExecutor:
    """Send requests to one base URL over a kept-alive client; any non-2xx status fails."""

    def __init__(self, target: Target, specs: Sequence[Any] = ()) -> None:
        import httpx

        self._httpx = httpx
        self._spec: HttpTarget = target.spec
        headers: dict[str, str] = dict(self._spec.headers)
        self._client = self._httpx.Client(timeout=target.timeout_s, headers=headers, follow_redirects=False)

    def execute(self, action: HttpAction, event: GestureEventData) -> str:
        url = self._spec.base_url + action.path
        kwargs = {} if action.body is _NO_BODY else {"json": render(action.body, event)}
        try:
            response = self._client.request(action.method, url, **kwargs)
        except self._httpx.HTTPError as exc:
            raise ActionFailed(f"{action.method} {url} failed: {str(exc) or type(exc).__name__}") from None
        if not response.is_success:
            retryable = response.status_code >= 500 or response.status_code in (408, 429)
            raise ActionFailed(f"{action.method} {url} answered HTTP {response.status_code}", retryable)
        return f"{action.method} {url} -> {response.status_code}"

    def close(self) -> None:
        self._client.close()


KIND = ActionKind(
    name="http",
    target_fields=frozenset({"base_url", "headers"}),
    action_fields=frozenset({"method", "path", "json"}),
    parse_target=parse_target,
    parse_action=parse_action,
    describe=describe,
    make_executor=HttpExecutor,
)
