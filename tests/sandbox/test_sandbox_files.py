"""Files round trip: uploads by the bot and by users, getFile, downloads and size limits."""

from __future__ import annotations

import aiohttp

from sandbox import Sandbox
from sandbox.client import SandboxClient
from sandbox.media import fake_jpeg, image_size
from tests.sandbox.sandbox_support import TOKEN, BotHttp

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")


async def _download(http: aiohttp.ClientSession, sandbox: Sandbox, path: str) -> bytes:
    async with http.get(f"{sandbox.base_url}/file/bot{TOKEN}/{path}") as resp:
        assert resp.status == 200
        return await resp.read()


async def test_document_upload_getfile_download(bot: BotHttp, sandbox: Sandbox,
                                                http: aiohttp.ClientSession) -> None:
    sandbox.state.upsert_user(3, "Hoa", started=True)
    content = "Biên bản họp xét duyệt".encode() * 100
    form = aiohttp.FormData()
    form.add_field("chat_id", "3")
    form.add_field("document", "attach://f0")  # aiogram's way: a reference to a file part
    form.add_field("f0", content, filename="bien-ban.pdf")
    form.add_field("caption", "<b>Biên bản</b>")
    form.add_field("parse_mode", "HTML")
    status, body = await bot("sendDocument", data=form)
    assert status == 200, body
    doc = body["result"]["document"]
    assert doc["file_name"] == "bien-ban.pdf" and doc["mime_type"] == "application/pdf"
    assert doc["file_size"] == len(content)
    assert body["result"]["caption"] == "Biên bản"
    file = await bot.ok("getFile", file_id=doc["file_id"])
    assert file["file_path"].startswith("documents/") and file["file_size"] == len(content)
    assert await _download(http, sandbox, file["file_path"]) == content
    # Re-sending by file_id works; as a photo it does not.
    again = await bot.ok("sendDocument", chat_id=3, document=doc["file_id"])
    assert again["document"]["file_unique_id"] == doc["file_unique_id"]
    assert await bot.error("sendPhoto", chat_id=3, photo=doc["file_id"]) == (
        400, "Bad Request: can't use file of type Document as Photo")
    assert await bot.error("sendDocument", chat_id=3, document="nonsense") == (
        400, "Bad Request: wrong file identifier/HTTP URL specified")
    assert await bot.error("getFile", file_id="nonsense") == (400, "Bad Request: invalid file_id")


async def test_photo_upload_sizes_and_non_image(bot: BotHttp, sandbox: Sandbox) -> None:
    sandbox.state.upsert_user(3, "Hoa", started=True)
    form = aiohttp.FormData({"chat_id": "3"})
    form.add_field("photo", PNG_1x1, filename="dot.png")
    status, body = await bot("sendPhoto", data=form)
    assert status == 200, body
    assert body["result"]["photo"][-1]["width"] == 1
    form = aiohttp.FormData({"chat_id": "3"})
    form.add_field("photo", fake_jpeg(2000, 1000), filename="big.jpg")
    status, body = await bot("sendPhoto", data=form)
    sizes = body["result"]["photo"]
    assert [(s["width"], s["height"]) for s in sizes] == [
        (90, 45), (320, 160), (800, 400), (1280, 640), (2000, 1000)]
    form = aiohttp.FormData({"chat_id": "3"})
    form.add_field("photo", b"not an image", filename="x.jpg")
    status, body = await bot("sendPhoto", data=form)
    assert status == 400 and body["description"] == "Bad Request: IMAGE_PROCESS_FAILED"
    # a voice round trip, by upload then by file_id
    form = aiohttp.FormData({"chat_id": "3", "duration": "2"})
    form.add_field("voice", b"OggS" + bytes(100), filename="v.ogg")
    status, body = await bot("sendVoice", data=form)
    assert status == 200 and body["result"]["voice"]["duration"] == 2
    await bot.ok("sendVoice", chat_id=3, voice=body["result"]["voice"]["file_id"])


async def test_user_files_and_size_limit(bot: BotHttp, client: SandboxClient, sandbox: Sandbox,
                                         http: aiohttp.ClientSession) -> None:
    lan = await client.user(9, "Lan")
    await lan.document("ho-so.docx", content=b"PK\x03\x04 docx bytes", wait=False)
    await lan.document("video-lon.mp4", size=25 * 1024 * 1024, wait=False)
    await lan.photo(wait=False)
    small, big, photo = (u["message"] for u in await bot.ok("getUpdates"))
    assert small["document"]["mime_type"].endswith("wordprocessingml.document")
    file = await bot.ok("getFile", file_id=small["document"]["file_id"])
    assert await _download(http, sandbox, file["file_path"]) == b"PK\x03\x04 docx bytes"
    assert big["document"]["file_size"] == 25 * 1024 * 1024
    assert await bot.error("getFile", file_id=big["document"]["file_id"]) == (
        400, "Bad Request: file is too big")
    largest = photo["photo"][-1]
    file = await bot.ok("getFile", file_id=largest["file_id"])
    data = await _download(http, sandbox, file["file_path"])
    assert image_size(data) == (1280, 960)


async def test_caption_edit_and_chat_action(bot: BotHttp, sandbox: Sandbox) -> None:
    sandbox.state.upsert_user(3, "Hoa", started=True)
    form = aiohttp.FormData({"chat_id": "3", "caption": "cũ"})
    form.add_field("document", b"abc", filename="a.txt")
    status, body = await bot("sendDocument", data=form)
    assert status == 200
    mid = body["result"]["message_id"]
    edited = await bot.ok("editMessageCaption", chat_id=3, message_id=mid, caption="mới")
    assert edited["caption"] == "mới" and edited["document"]["file_name"] == "a.txt"
    assert await bot.error("editMessageText", chat_id=3, message_id=mid, text="x") == (
        400, "Bad Request: there is no text in the message to edit")
    assert await bot.ok("sendChatAction", chat_id=3, action="upload_document") is True
    assert await bot.error("sendChatAction", chat_id=3, action="dancing") == (
        400, "Bad Request: wrong parameter action in request")
