"""The Bot API specification (``api.json``) and the checking of every request against it.

The real server refuses a request with an unknown method, a missing required parameter or a value
of the wrong type; the sandbox does the same from the published machine-readable spec, so a test
that passes here does not hide a request that Telegram would reject. It is stricter in one place:
an unknown parameter is refused (Telegram silently ignores it), because a misspelt parameter is
almost always a bug.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sandbox.errors import ApiError, bad_request

SPEC_PATH = Path(__file__).with_name("api.json")
ATTACH_PREFIX = "attach://"
BASIC_TYPES = frozenset({"Integer", "Float", "Boolean", "String"})
_INT_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DISCRIMINATOR_RE = re.compile(r", must be ([a-z0-9_]+)$")

# Parameters removed from the documentation that Telegram still honours for old clients; aiogram
# sends them when a bot uses its deprecated keyword arguments.
LEGACY_PARAMS: dict[str, tuple[str, ...]] = {
    "disable_web_page_preview": ("Boolean",),
    "reply_to_message_id": ("Integer",),
    "allow_sending_without_reply": ("Boolean",),
}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request; ``name`` is the part's form name."""

    name: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method or field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str


@dataclass(frozen=True)
class TypeSpec:
    """An object type; abstract ones (``BotCommandScope``) list their concrete subtypes."""

    name: str
    fields: dict[str, FieldSpec]
    subtypes: tuple[str, ...]
    discriminator: tuple[str, str] | None  # (field, required value) for subtypes


class _Mismatch(Exception):
    """A value does not fit a type; the message is the human part of the 400 description."""


def _fields(raw: list[dict[str, Any]] | None) -> dict[str, FieldSpec]:
    out: dict[str, FieldSpec] = {}
    for f in raw or []:
        out[f["name"]] = FieldSpec(f["name"], tuple(f["types"]), bool(f["required"]),
                                   f.get("description", ""))
    return out


def _type_label(types: tuple[str, ...]) -> str:
    return " or ".join(types)


class Spec:
    """Methods and types from ``api.json`` plus the validator built on them."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data.get("version", "")
        self.methods: dict[str, dict[str, FieldSpec]] = {
            name: _fields(m.get("fields")) for name, m in data["methods"].items()
        }
        self._by_lower = {name.lower(): name for name in self.methods}
        self.types: dict[str, TypeSpec] = {}
        for name, t in data["types"].items():
            fields = _fields(t.get("fields"))
            disc = None
            for key in ("type", "source"):
                f = fields.get(key)
                m = _DISCRIMINATOR_RE.search(f.description) if f else None
                if m and t.get("subtype_of"):
                    disc = (key, m.group(1))
                    break
            self.types[name] = TypeSpec(name, fields, tuple(t.get("subtypes") or ()), disc)

    def canonical_method(self, name: str) -> str | None:
        """Method names are case-insensitive in the Bot API."""
        return self._by_lower.get(name.lower())

    # -- request validation -------------------------------------------------------------------

    def validate(
        self,
        method: str,
        raw: dict[str, Any],
        uploads: dict[str, Upload],
    ) -> dict[str, Any]:
        """Check a request's parameters and return them converted to Python values.

        Values from a query, urlencoded or multipart body are all strings, so numbers, booleans
        and JSON-serialized objects are parsed from text; a JSON body may also carry native JSON
        values (objects as JSON or as JSON-encoded strings, as Telegram accepts). File parts come
        back as ``Upload`` objects, whether sent under the parameter's own name or referenced as
        ``attach://<part>``.
        """
        fields = self.methods[method]
        out: dict[str, Any] = {}
        refs: set[str] = set()
        for name, value in raw.items():
            if value is None:
                continue
            spec = fields.get(name)
            if spec is None:
                legacy = LEGACY_PARAMS.get(name)
                if legacy is None or not self._accepts_legacy(fields, name):
                    raise bad_request(f'unknown parameter "{name}"')
                spec = FieldSpec(name, legacy, False, "")
            try:
                out[name] = self._coerce(spec.types, value, refs=refs)
            except _Mismatch as exc:
                raise bad_request(f'parameter "{name}": {exc}') from None
        for name, upload in uploads.items():
            if name in refs:
                continue
            spec = fields.get(name)
            if spec is None:
                raise bad_request(f'unknown parameter "{name}"')
            if "InputFile" not in spec.types:
                raise bad_request(f'parameter "{name}" must be of type {_type_label(spec.types)}')
            out[name] = upload
        for name, value in list(out.items()):
            if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
                spec = fields.get(name)
                if spec is not None and "InputFile" in spec.types:
                    part = value[len(ATTACH_PREFIX):]
                    if part not in uploads:
                        raise bad_request(f'file "{part}" referenced by "{name}" was not uploaded')
                    out[name] = uploads[part]
        for spec in fields.values():
            if spec.required and spec.name not in out:
                raise _missing(method, spec.name)
        return out

    @staticmethod
    def _accepts_legacy(fields: dict[str, FieldSpec], name: str) -> bool:
        if name == "disable_web_page_preview":
            return "link_preview_options" in fields
        return "reply_parameters" in fields

    def _coerce(self, types: tuple[str, ...], value: Any, *, refs: set[str]) -> Any:
        first_error: _Mismatch | None = None
        for t in self._order(types, value):
            try:
                return self._coerce_one(t, value, refs=refs)
            except _Mismatch as exc:
                # Prefer the error from inside an object over a bare "must be of type".
                if first_error is None or (str(exc).startswith("can't parse")
                                           and not str(first_error).startswith("can't parse")):
                    first_error = exc
        if len(types) > 1 and first_error and not str(first_error).startswith("can't parse"):
            raise _Mismatch(f"must be of type {_type_label(types)}")
        raise first_error or _Mismatch("no type")

    def _order(self, types: tuple[str, ...], value: Any) -> tuple[str, ...]:
        """For a union of object types, try first the one whose required fields are present.

        Otherwise a broken ``ReplyKeyboardMarkup`` would be reported as a broken inline keyboard.
        """
        if len(types) < 2 or not isinstance(value, (dict, str)):
            return types
        obj = value
        if isinstance(value, str):
            try:
                obj = json.loads(value)
            except ValueError:
                return types
        if not isinstance(obj, dict):
            return types

        def fits(t: str) -> bool:
            spec = self.types.get(t)
            return bool(spec and spec.fields) and all(
                f.name in obj for f in spec.fields.values() if f.required)

        return tuple(sorted(types, key=lambda t: not fits(t)))

    def _coerce_one(self, t: str, value: Any, *, refs: set[str]) -> Any:
        if t == "Integer":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and _INT_RE.match(value.strip()):
                return int(value.strip())
            raise _Mismatch("must be of type Integer")
        if t == "Float":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            if isinstance(value, str) and _FLOAT_RE.match(value.strip()):
                return float(value.strip())
            raise _Mismatch("must be of type Float")
        if t == "Boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
                return value.strip().lower() in ("true", "1")
            raise _Mismatch("must be of type Boolean")
        if t == "String":
            if isinstance(value, str):
                return value
            raise _Mismatch("must be of type String")
        if t == "InputFile":
            if isinstance(value, Upload):
                return value
            if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
                refs.add(value[len(ATTACH_PREFIX):])
                return value
            raise _Mismatch("must be of type InputFile")
        if isinstance(value, Upload):
            raise _Mismatch(f"must be of type {t}")
        if t.startswith("Array of "):
            inner = t[len("Array of "):]
            if isinstance(value, str):
                value = _parse_json(value, "array")
            if not isinstance(value, list):
                raise _Mismatch(f"must be of type {t}")
            return [self._coerce((inner,), item, refs=refs) for item in value]
        spec = self.types.get(t)
        if spec is None:
            raise _Mismatch(f"has an unknown type {t}")
        if isinstance(value, str) and not spec.subtypes:
            value = _parse_json(value, t)
        elif isinstance(value, str) and spec.subtypes and not any(
            s in BASIC_TYPES for s in spec.subtypes
        ):
            value = _parse_json(value, t)
        if spec.subtypes:
            return self._coerce_abstract(spec, value, refs=refs)
        return self._coerce_object(spec, value, refs=refs)

    def _coerce_abstract(self, spec: TypeSpec, value: Any, *, refs: set[str]) -> Any:
        errors: list[str] = []
        for sub in spec.subtypes:
            sub_spec = self.types.get(sub)
            if sub_spec is not None and sub_spec.discriminator and isinstance(value, dict):
                key, expected = sub_spec.discriminator
                if value.get(key) != expected:
                    continue
            try:
                return self._coerce((sub,), value, refs=refs)
            except _Mismatch as exc:
                errors.append(str(exc))
        if errors:
            raise _Mismatch(errors[0])
        raise _Mismatch(f"can't parse {spec.name}: unsupported or missing type")

    def _coerce_object(self, spec: TypeSpec, value: Any, *, refs: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Mismatch(f"can't parse {spec.name}: an object is expected")
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            f = spec.fields.get(key)
            if f is None:
                raise _Mismatch(f'can\'t parse {spec.name}: unknown field "{key}"')
            try:
                out[key] = self._coerce(f.types, item, refs=refs)
            except _Mismatch as exc:
                msg = str(exc)
                if msg.startswith("can't parse"):
                    raise
                raise _Mismatch(f'can\'t parse {spec.name}: field "{key}" {msg}') from None
        for f in spec.fields.values():
            if f.required and f.name not in out:
                raise _Mismatch(f'can\'t parse {spec.name}: field "{f.name}" is required')
        return out


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise _Mismatch(f"can't parse {what} JSON") from None


def _missing(method: str, name: str) -> ApiError:
    if name == "text" and method in ("sendMessage", "editMessageText"):
        return bad_request("message text is empty")
    if name in ("chat_id", "message_id", "file_id", "callback_query_id", "url"):
        return bad_request(f"{name} is empty")
    return bad_request(f'parameter "{name}" is required')


@cache
def load_spec(path: str | None = None) -> Spec:
    """Parse ``api.json`` once per process (it is about 1 MB)."""
    with open(path or SPEC_PATH, encoding="utf-8") as fh:
        return Spec(json.load(fh))
