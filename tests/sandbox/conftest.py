"""Fixtures for the sandbox tests: a fresh emulator per test on a free loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from sandbox import FloodLimits, Sandbox, run_sandbox
from sandbox.client import SandboxClient
from tests.sandbox.sandbox_support import TOKEN, BotHttp


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with run_sandbox(TOKEN, flood=FloodLimits.off()) as sb:
        yield sb


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
async def bot(sandbox: Sandbox, http: aiohttp.ClientSession) -> BotHttp:
    return BotHttp(http, sandbox.base_url)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.base_url, timeout=5.0) as c:
        yield c
