"""The Bot API's file methods in the sandbox: sending photos, documents and voice notes (by
upload or by file id), getFile and the download route. Split from :mod:`sandbox.botapi`, whose
``BotApi`` holds them through this mixin and provides ``state``, ``_caption`` and
``_bot_message``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.errors import ApiError, bad_request
from sandbox.media import guess_mime, image_size, is_image
from sandbox.spec import Upload
from sandbox.state import MAX_DOWNLOAD_SIZE

if TYPE_CHECKING:
    from sandbox.formatting import Parsed
    from sandbox.state import SandboxState


class MediaMethods:
    """sendPhoto, sendDocument, sendVoice, getFile and ``/file/bot{token}/{path}``."""

    if TYPE_CHECKING:  # what BotApi, which holds this mixin, provides
        state: SandboxState

        def _caption(self, params: dict[str, Any]) -> Parsed | None: ...

        def _bot_message(self, params: dict[str, Any], user: Any, kind: str,
                         content: dict[str, Any], **view: Any) -> dict[str, Any]: ...

    def _existing_file(self, value: str, kind: str) -> Any:
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        stored = self.state.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    async def send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.state.resolve_chat(params["chat_id"])
        value = params["photo"]
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if not is_image(value.data):
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = image_size(value.data) or (800, 600)
            sizes = self.state.add_photo(value.data, width, height)
        else:
            stored = self._existing_file(value, "photo")
            sizes = self.state.photo_groups.get(stored.file_id) or []
        caption = self._caption(params)
        content: dict[str, Any] = {"photo": sizes}
        view = self._caption_view(params, caption, content)
        return self._bot_message(params, user, "photo", content, file_id=sizes[-1]["file_id"],
                                 **view)

    @staticmethod
    def _caption_view(params: dict[str, Any], caption: Parsed | None,
                      content: dict[str, Any]) -> dict[str, Any]:
        if caption is None or not caption.text:
            return {}
        content["caption"] = caption.text
        if caption.entities:
            content["caption_entities"] = caption.entities
        return {"caption": caption.text, "caption_html": params["caption"]}

    async def send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.state.resolve_chat(params["chat_id"])
        value = params["document"]
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            stored = self.state.add_file("document", value.data, file_name=value.filename,
                                         mime_type=guess_mime(value.filename, value.content_type))
        else:
            stored = self._existing_file(value, "document")
        doc: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                               "file_size": stored.size}
        if stored.file_name:
            doc["file_name"] = stored.file_name
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        caption = self._caption(params)
        content: dict[str, Any] = {"document": doc}
        view = self._caption_view(params, caption, content)
        extra = {"file_name": stored.file_name, "mime_type": stored.mime_type}
        return self._bot_message(params, user, "document", content, file_id=stored.file_id,
                                 extra=extra, **view)

    async def send_voice(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.state.resolve_chat(params["chat_id"])
        value = params["voice"]
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            stored = self.state.add_file("voice", value.data, mime_type="audio/ogg")
        else:
            stored = self._existing_file(value, "voice")
        voice = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "duration": params.get("duration", 1), "mime_type": stored.mime_type,
                 "file_size": stored.size}
        caption = self._caption(params)
        content: dict[str, Any] = {"voice": voice}
        view = self._caption_view(params, caption, content)
        return self._bot_message(params, user, "voice", content, file_id=stored.file_id,
                                 extra={"duration": voice["duration"]}, **view)

    async def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.state.files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        self.state.assign_path(stored)
        return stored.telegram_file()

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        """Route ``/file/bot{token}/{path}``: the bytes behind a getFile path."""
        if request.match_info["token"] != self.state.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        file_id = self.state.file_paths.get(request.match_info["path"])
        stored = self.state.files.get(file_id or "")
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=stored.content(),
                            content_type=stored.mime_type or "application/octet-stream")
