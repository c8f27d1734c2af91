"""FSPIOP v1.1 request bodies checked against Mojaloop's own API definition.

The definition is the OpenAPI document that npm ``@mojaloop/api-snippets`` ships (installed by ``make`` in
tools/mojaloop), loaded at run time, never copied. Each route's body schema is validated with ``jsonschema``
the way Mojaloop's switch does it (ajv through openapi-backend), so a peer gets the same answer from Inzira as
from a Mojaloop hub: the first error in ajv's order, its code (``required`` 3102, ``additionalProperties``
3103, ``type`` 3101, anything else 3100), the failing field, and ajv's wording
(``/requestBody/amount must have required property 'currency'``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
import yaml
from jsonschema import Draft7Validator, validators
from jsonschema.exceptions import ValidationError

REPO_ROOT = Path(__file__).resolve().parents[3]  # an editable install: the package sits in the checkout
SPEC_FILE = (REPO_ROOT / "tools" / "mojaloop" / "node_modules" / "@mojaloop" / "api-snippets" / "docs"
             / "fspiop-rest-v1.1-openapi3-snippets.yaml")
BODY_BYTES_MAX = 1_048_576  # far above any FSPIOP body (an ilpPacket is at most 32768 characters)
JSON_DEPTH_MAX = 32

MALFORMED_SYNTAX = "3101"
MISSING_ELEMENT = "3102"
TOO_MANY_ELEMENTS = "3103"
TOO_LARGE_PAYLOAD = "3104"
VALIDATION_ERROR = "3100"
CODE_NAMES = {
    VALIDATION_ERROR: "Generic validation error",
    MALFORMED_SYNTAX: "Malformed syntax",
    MISSING_ELEMENT: "Missing mandatory element",
    TOO_MANY_ELEMENTS: "Too many elements",
    TOO_LARGE_PAYLOAD: "Too large payload",
}
_KEYWORD_CODES = {"required": MISSING_ELEMENT, "additionalProperties": TOO_MANY_ELEMENTS, "type": MALFORMED_SYNTAX}
# ajv checks a schema's keywords in this order and reports the first failure; jsonschema follows the order
# of the schema's keys, so every schema is re-keyed in this order once, at load.
_AJV_ORDER = ("$ref", "type", "enum", "const", "not", "anyOf", "oneOf", "allOf", "maxLength", "minLength",
              "pattern", "format", "maxItems", "minItems", "uniqueItems", "items", "maxProperties",
              "minProperties", "required", "additionalProperties", "properties")


class SpecMissing(RuntimeError):
    """The API definition is not installed: a deployment fault (run ``make install``), not a client error."""


@dataclass(frozen=True)
class Violation:
    """Why a request body is refused: Mojaloop's code, the failing field as a JSON pointer, ajv's words."""

    code: str
    field: str
    detail: str

    @property
    def description(self) -> str:
        """The ``errorDescription`` Mojaloop's switch gives: the code's name, a dash, the detail."""
        return f"{CODE_NAMES[self.code]} - {self.detail}"


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    schema_name: str | None
    pattern: re.Pattern[str]
    literal_segments: int


# --- the definition ------------------------------------------------------------------------------------

def _ajv_ordered(node: Any) -> Any:
    if isinstance(node, dict):
        ordered = {key: _ajv_ordered(node[key]) for key in _AJV_ORDER if key in node}
        ordered.update({key: _ajv_ordered(value) for key, value in node.items() if key not in ordered})
        return ordered
    if isinstance(node, list):
        return [_ajv_ordered(item) for item in node]
    return node


def _js_pattern(pattern: str) -> str:
    """Mojaloop's patterns are JavaScript regexes with the ``u`` flag, where ``\\d`` and ``\\w`` are ASCII;
    in Python they match any script's digits and letters, so they are spelled out."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if escaped == "d":
                out.append("0-9" if in_class else "[0-9]")
            elif escaped == "w":
                out.append("A-Za-z0-9_" if in_class else "[A-Za-z0-9_]")
            else:
                out.append(pattern[index:index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(_js_pattern(pattern))


def _pattern_keyword(validator: Any, pattern: str, instance: Any,
                     schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = validators.extend(Draft7Validator, {"pattern": _pattern_keyword})


class Definitions:
    """The FSPIOP routes with their body schemas, from one OpenAPI document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = _ajv_ordered(dict(document))
        self.routes = tuple(self._routes())
        self._validators: dict[str, Any] = {}

    @classmethod
    def load(cls, path: Path = SPEC_FILE) -> Definitions:
        if not path.is_file():
            raise SpecMissing(f"the FSPIOP API definition is not installed at {path} (run `make install`)")
        with path.open("rb") as handle:
            document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return cls(document)

    def _routes(self) -> Iterator[Route]:
        for template, item in self.document["paths"].items():
            segments = template.strip("/").split("/")
            pattern = re.compile("^/" + "/".join("[^/]+" if s.startswith("{") else re.escape(s)
                                                 for s in segments) + "$")
            literal = sum(1 for s in segments if not s.startswith("{"))
            for method, operation in item.items():
                if method not in ("get", "put", "post", "patch", "delete"):
                    continue
                body = operation.get("requestBody")
                schema_name = None
                if body:
                    ref = body["content"]["application/json"]["schema"]["$ref"]
                    schema_name = ref.rsplit("/", 1)[1]
                yield Route(method.upper(), template, schema_name, pattern, literal)

    def route(self, method: str, path: str) -> Route | None:
        """The route a request takes (``/parties/MSISDN/1/error`` is the error route, not a SubId)."""
        candidates = [r for r in self.routes if r.method == method.upper() and r.pattern.match(path)]
        return max(candidates, key=lambda r: r.literal_segments, default=None)

    def knows_path(self, path: str) -> bool:
        return any(r.pattern.match(path) for r in self.routes)

    def validator(self, schema_name: str) -> Any:
        if schema_name not in self._validators:
            schema = {"$ref": f"#/components/schemas/{schema_name}", "components": self.document["components"]}
            self._validators[schema_name] = _Validator(schema)
        return self._validators[schema_name]

    def check_body(self, schema_name: str, body: Any) -> Violation | None:
        errors = list(self.validator(schema_name).iter_errors(body))
        if not errors:
            return None
        return _violation(_first(errors[0]))

    def check_request(self, method: str, path: str, raw: bytes) -> tuple[Any, Violation | None]:
        """Parse and check a request's body for its route; a route without a body schema takes none."""
        route = self.route(method, path)
        if route is None or route.schema_name is None:
            return None, None
        if len(raw) > BODY_BYTES_MAX:
            return None, Violation(TOO_LARGE_PAYLOAD, "", f"/requestBody is over {BODY_BYTES_MAX} bytes")
        if not raw.strip():
            return None, Violation(MISSING_ELEMENT, "", "/requestBody is required")
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # ValueError: also a number over Python's 4300-digit limit
            return None, Violation(MALFORMED_SYNTAX, "", "/requestBody is not valid JSON")
        if _depth(body) > JSON_DEPTH_MAX:
            return None, Violation(MALFORMED_SYNTAX, "", f"/requestBody is nested over {JSON_DEPTH_MAX} levels")
        return body, self.check_body(route.schema_name, body)


@lru_cache(maxsize=4)
def definitions(path: Path = SPEC_FILE) -> Definitions:
    """The installed definition, loaded once per process."""
    return Definitions.load(path)


# --- errors the way ajv words them ------------------------------------------------------------------------

def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > JSON_DEPTH_MAX:
            return level
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _first(error: ValidationError) -> ValidationError:
    """ajv reports, for a failed anyOf/oneOf, the first failure of its first alternative."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        error = min(error.context, key=lambda e: (e.relative_schema_path[0], len(e.relative_schema_path)))
    return error


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _violation(error: ValidationError) -> Violation:
    keyword = str(error.validator)
    value = error.validator_value
    where = _pointer(error.absolute_path)
    field = where
    if keyword == "required":
        missing = next(name for name in value if name not in error.instance)
        message = f"must have required property '{missing}'"
        field = f"{where}/{missing}"
    elif keyword == "type":
        message = f"must be {','.join(value) if isinstance(value, list) else value}"
    elif keyword == "pattern":
        message = f'must match pattern "{value}"'
    elif keyword == "enum":
        message = "must be equal to one of the allowed values"
    elif keyword in ("maxLength", "minLength", "maxItems", "minItems"):
        bound = "more" if keyword.startswith("max") else "fewer"
        unit = "characters" if keyword.endswith("Length") else "items"
        message = f"must NOT have {bound} than {value} {unit}"
    elif keyword == "additionalProperties":
        message = "must NOT have additional properties"
    elif keyword == "anyOf":
        message = "must match a schema in anyOf"
    elif keyword == "oneOf":
        message = "must match exactly one schema in oneOf"
    else:
        message = error.message
    return Violation(_KEYWORD_CODES.get(keyword, VALIDATION_ERROR), field, f"/requestBody{where} {message}")
