"""A fake Discord on 127.0.0.1: REST (aiohttp) and the gateway websocket, for the real discord.py client.

It enforces what real Discord enforces and tests depend on: the bot token, the 3-second
acknowledgement of interactions and their tokens' 15 minutes, message and embed limits (400,
code 50035), the message content intent, privileged intents at identify (close 4014), and 429
rate limits on request. Tests drive it as users would (messages, slash commands, button
clicks) and read back what the bot sent.

A sharded client gets what Discord gives one: GET /gateway/bot recommends a shard count, each
shard IDENTIFYs on its own session with `shard: [id, count]`, and a guild's events go only to the
shard that owns it, `(guild_id >> 22) % count`; DMs go to shard 0. An unsharded client is shard 0
of 1.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yarl
from aiohttp import WSMsgType, web

from . import payloads as p
from .limits import choice_errors, message_errors

T = TypeVar("T")
API = "/api/v10"
ACK_DEADLINE = 3.0  # seconds Discord waits for an interaction's first response
TOKEN_LIFETIME = 15 * 60  # seconds an interaction's token edits and follows up its response
EPHEMERAL = 1 << 6
LOADING = 1 << 7
MESSAGE_CONTENT_INTENT = 1 << 15
OPTION_TYPES = {"string": 3, "integer": 4, "boolean": 5, "attachment": 11}


@dataclass
class FakeFile:
    """A file a user attaches to a slash command."""

    filename: str
    data: bytes


# What INTERACTION_CREATE tells the bot it may upload, per file (a server without boosts).
ATTACHMENT_LIMIT = 10 * 1024 * 1024


class BadUpload(Exception):
    """A multipart message whose files Discord would refuse (400, Invalid Form Body)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Interaction:
    """One interaction sent to the bot and what the bot did with it."""

    id: int
    token: str
    kind: int  # 2 command, 3 component, 4 autocomplete
    user_id: int
    channel_id: int
    sent_at: float
    message_id: int | None = None  # the message a clicked component is on
    acked_at: float | None = None
    response_type: int | None = None
    original_id: int | None = None
    original_deleted: bool = False
    followup_ids: list[int] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None


@dataclass
class Refusal:
    """A request the fake refused the way Discord would."""

    method: str
    path: str
    status: int
    code: int
    errors: list[str]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py only parses JSON when Content-Type is exactly application/json (no charset).
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class FakeDiscord:
    def __init__(self, *, token: str = "fake-bot-token", portal_message_content: bool = True) -> None:
        self.token = token
        # The "Message Content Intent" switch of the developer portal.
        self.portal_message_content = portal_message_content
        self.forbid_threads = False

        self.bot = p.user(p.snowflake(), "newsbot", bot=True)
        self.bot_id = int(self.bot["id"])
        self.app_id = self.bot_id
        self.owner = p.user(p.snowflake(), "owner")
        self.guild_id = p.snowflake()
        self.admin_role_id = p.snowflake()
        self.newsroom_id = p.snowflake()
        self.general_id = p.snowflake()

        self.users: dict[int, dict] = {self.bot_id: self.bot}
        self.roles: dict[int, list[int]] = {self.bot_id: []}
        self.channels: dict[int, dict] = {
            self.newsroom_id: p.text_channel(self.newsroom_id, self.guild_id, "newsroom", 0),
            self.general_id: p.text_channel(self.general_id, self.guild_id, "general", 1),
        }
        self.guild_names: dict[int, str] = {self.guild_id: "Newsroom"}
        self.dms: dict[int, int] = {}  # user id -> DM channel id
        self.messages: dict[int, dict] = {}
        self.interactions: dict[int, Interaction] = {}
        self.commands: dict[int | None, list[dict]] = {}  # guild id (None: global) -> commands
        self.files: dict[str, bytes] = {}

        self.requests: list[tuple[str, str, int]] = []
        self.refusals: list[Refusal] = []
        self.unhandled: list[str] = []
        self.pings: list[tuple[int, set[str]]] = []
        self.intents: int | None = None
        self.ready = False
        self.recommended_shards = 1  # what GET /gateway/bot says
        self.identified_shards: list[list[int] | None] = []  # each IDENTIFY's `shard`, in order
        self._shard_count = 1
        self._sessions: dict[int, web.WebSocketResponse] = {}  # shard id -> its gateway session
        self._seqs: dict[int, int] = {}  # shard id -> the session's last sequence number
        self._rate_limits: list[tuple[str, re.Pattern[str], float]] = []
        self._changed = asyncio.Condition()
        self._send_lock = asyncio.Lock()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get("/gateway", self._gateway)
        r.add_get(API + "/gateway/bot", self._gateway_bot)
        r.add_get("/attachments/{id}/{name}", self._attachment)
        r.add_get(API + "/users/@me", self._me)
        r.add_get(API + "/oauth2/applications/@me", self._application)
        r.add_put(API + "/applications/{app}/commands", self._sync)
        r.add_put(API + "/applications/{app}/guilds/{guild}/commands", self._sync)
        r.add_post(API + "/interactions/{id}/{token}/callback", self._callback)
        r.add_post(API + "/webhooks/{app}/{token}", self._followup)
        r.add_patch(API + "/webhooks/{app}/{token}/messages/{message}", self._edit_webhook_message)
        r.add_delete(API + "/webhooks/{app}/{token}/messages/{message}", self._delete_webhook_message)
        r.add_post(API + "/channels/{channel}/messages", self._create_message)
        r.add_patch(API + "/channels/{channel}/messages/{message}", self._edit_message)
        r.add_post(API + "/channels/{channel}/messages/{message}/threads", self._start_thread)
        r.add_post(API + "/channels/{channel}/typing", self._typing)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for ws in list(self._sessions.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}/gateway")

    # ----------------------------------------------------------------- test controls

    def rate_limit(self, method: str, path_pattern: str, retry_after: float = 0.3) -> None:
        """Answer the next matching request with 429, as Discord does when a bucket is empty."""
        self._rate_limits.append((method, re.compile(path_pattern), retry_after))

    async def end_session(self, code: int) -> None:
        """Closes the gateway the way Discord ends a session (4004: the token was reset)."""
        for ws in list(self._sessions.values()):
            await ws.close(code=code, message=b"Session ended.")

    def add_guild(self, name: str, *, shard: tuple[int, int]) -> tuple[int, int]:
        """Adds a guild (before the bot connects) whose id lands on shard `shard[0]` of
        `shard[1]`, with one text channel; returns the guild's and the channel's ids."""
        shard_id, shard_count = shard
        raw = p.snowflake()
        timestamp = raw >> 22
        guild_id = ((timestamp + (shard_id - timestamp) % shard_count) << 22) | (raw & 0x3FFFFF)
        channel_id = p.snowflake()
        self.guild_names[guild_id] = name
        self.channels[channel_id] = p.text_channel(channel_id, guild_id, "general", 0)
        return guild_id, channel_id

    def shard_of(self, guild_id: int | None) -> int:
        """The shard Discord sends a guild's events on; DMs go to shard 0."""
        return 0 if guild_id is None else (guild_id >> 22) % self._shard_count

    def add_user(self, name: str, *, admin: bool = False) -> int:
        user_id = p.snowflake()
        self.users[user_id] = p.user(user_id, name)
        self.roles[user_id] = [self.admin_role_id] if admin else []
        return user_id

    def dm_channel(self, user_id: int) -> int:
        if user_id not in self.dms:
            channel_id = p.snowflake()
            self.dms[user_id] = channel_id
            self.channels[channel_id] = p.dm_channel(channel_id, self.users[user_id])
        return self.dms[user_id]

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 10.0) -> T:
        """Waits until `predicate()` is truthy (re-checked on every change) and returns it."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
            return predicate()

    async def wait_until_ready(self, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: self.ready, timeout)

    def bot_messages(self, channel_id: int) -> list[dict]:
        return [
            m
            for m in self.messages.values()
            if int(m["channel_id"]) == channel_id and int(m["author"]["id"]) == self.bot_id
        ]

    def threads(self) -> list[dict]:
        return [c for c in self.channels.values() if c["type"] == 11]

    # ----------------------------------------------------------------- what users do

    async def send_message(
        self,
        user_id: int,
        channel_id: int,
        content: str,
        *,
        mention_bot: bool = False,
        reply_to: int | None = None,
    ) -> dict:
        channel = self.channels[channel_id]
        guild_id = self._guild_of(channel)
        author = self.users[user_id]
        mentions = []
        if mention_bot:
            content = f"<@{self.bot_id}> {content}"
            mentions.append(self._mention(self.bot_id, guild_id))
        reference = referenced = None
        if reply_to is not None:
            referenced = self.messages[reply_to]
            reference = {"message_id": str(reply_to), "channel_id": str(channel_id)}
            # Replies ping their author by default, which makes the bot "mentioned".
            mentions.append(self._mention(int(referenced["author"]["id"]), guild_id))
        message = p.message(
            message_id=p.snowflake(),
            channel_id=channel_id,
            guild_id=guild_id,
            author=author,
            content=content,
            mentions=mentions,
            reference=reference,
            referenced=referenced,
            kind=19 if reply_to else 0,
        )
        if guild_id is not None:
            message["member"] = {
                k: v for k, v in p.member(author, self.roles[user_id]).items() if k != "user"
            }
        await self._store_message(message)
        return message

    async def slash(self, user_id: int, channel_id: int, name: str, **options: Any) -> Interaction:
        channel = self.channels[channel_id]
        guild_id = self._guild_of(channel)
        command, scope = self._command(name, guild_id)
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1, "options": []}
        if scope is not None:
            data["guild_id"] = str(scope)
        declared = {o["name"]: o for o in command.get("options", [])}
        for option in declared.values():
            if option.get("required") and option["name"] not in options:
                raise AssertionError(f"/{name} needs option {option['name']}")
        for key, value in options.items():
            if key not in declared:
                raise AssertionError(f"/{name} has no option {key}")
            if isinstance(value, FakeFile):
                attachment = self._upload(value)
                data.setdefault("resolved", {}).setdefault("attachments", {})[attachment["id"]] = attachment
                value = attachment["id"]
            data["options"].append({"name": key, "type": declared[key]["type"], "value": value})
        return await self._interact(2, user_id, channel_id, data)

    async def autocomplete(
        self, user_id: int, channel_id: int, name: str, option: str, typed: str
    ) -> Interaction:
        command, scope = self._command(name, self._guild_of(self.channels[channel_id]))
        declared = {o["name"]: o for o in command.get("options", [])}
        if not declared.get(option, {}).get("autocomplete"):
            raise AssertionError(f"/{name} {option} has no autocomplete")
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": [{"name": option, "type": 3, "value": typed, "focused": True}],
        }
        if scope is not None:
            data["guild_id"] = str(scope)
        return await self._interact(4, user_id, channel_id, data)

    async def click(self, user_id: int, message_id: int, label: str) -> Interaction:
        """Clicks the enabled button with `label` on a bot message."""
        message = self.messages[message_id]
        buttons = [c for row in message["components"] for c in row["components"] if c.get("label") == label]
        if not buttons or buttons[0].get("disabled"):
            raise AssertionError(f"no enabled button {label!r} on message {message_id}")
        data = {"custom_id": buttons[0]["custom_id"], "component_type": 2}
        return await self._interact(3, user_id, int(message["channel_id"]), data, message=message)

    async def response(self, interaction: Interaction, timeout: float = 10.0) -> dict:
        """The bot's finished reply to an interaction: the completed original, else a follow-up."""

        def finished() -> dict | None:
            if interaction.followup_ids:
                return self.messages[interaction.followup_ids[-1]]
            original = self.messages.get(interaction.original_id or 0)
            if original is not None and not interaction.original_deleted and not original["flags"] & LOADING:
                return original
            return None

        return await self.wait_for(finished, timeout)

    # ----------------------------------------------------------------- internals: state

    def _guild_of(self, channel: dict) -> int | None:
        return int(channel["guild_id"]) if "guild_id" in channel else None

    def _mention(self, user_id: int, guild_id: int | None) -> dict:
        mention = dict(self.users[user_id])
        if guild_id is not None:
            mention["member"] = {
                k: v for k, v in p.member(mention, self.roles[user_id]).items() if k != "user"
            }
        return mention

    def _command(self, name: str, guild_id: int | None) -> tuple[dict, int | None]:
        """The synced command a user would pick: the guild's own first, then the global one."""
        for scope in ([guild_id] if guild_id is not None else []) + [None]:
            for command in self.commands.get(scope, []):
                if command["name"] != name:
                    continue
                in_dms = command.get("dm_permission", True) and 1 in (command.get("contexts") or [0, 1])
                if guild_id is None and not in_dms:
                    raise AssertionError(f"/{name} is not available in DMs")
                return command, scope
        raise AssertionError(f"/{name} was never synced")

    def _upload(self, file: FakeFile, content_type: str = "text/plain; charset=utf-8") -> dict:
        attachment_id = p.snowflake()
        # The CDN path does not carry the name: uploaders' names may hold anything, even "../".
        path = f"/attachments/{attachment_id}/file"
        self.files[path] = file.data
        return p.attachment(
            attachment_id, file.filename, len(file.data), f"http://127.0.0.1:{self.port}{path}", content_type
        )

    async def _interact(
        self, kind: int, user_id: int, channel_id: int, data: dict, *, message: dict | None = None
    ) -> Interaction:
        channel = self.channels[channel_id]
        guild_id = self._guild_of(channel)
        record = Interaction(
            id=p.snowflake(),
            token=secrets.token_urlsafe(24),
            kind=kind,
            user_id=user_id,
            channel_id=channel_id,
            sent_at=time.monotonic(),
            message_id=int(message["id"]) if message else None,
        )
        payload: dict[str, Any] = {
            "id": str(record.id),
            "application_id": str(self.app_id),
            "type": kind,
            "data": data,
            "token": record.token,
            "version": 1,
            "channel_id": str(channel_id),
            "channel": channel,
            "locale": "en-US",
            "app_permissions": str((1 << 53) - 1),
            "attachment_size_limit": ATTACHMENT_LIMIT,
            "entitlements": [],
            "authorizing_integration_owners": ({"0": str(guild_id)} if guild_id else {"1": str(user_id)}),
            "context": 0 if guild_id else 1,
        }
        if guild_id is not None:
            payload["guild_id"] = str(guild_id)
            payload["guild_locale"] = "en-US"
            payload["member"] = p.member(self.users[user_id], self.roles[user_id], permissions=(1 << 53) - 1)
        else:
            payload["user"] = self.users[user_id]
        if message is not None:
            payload["message"] = message
        self.interactions[record.id] = record
        await self._dispatch("INTERACTION_CREATE", payload)
        return record

    async def _store_message(self, message: dict) -> None:
        self.messages[int(message["id"])] = message
        await self._dispatch("MESSAGE_CREATE", self._as_seen_by_bot(message))

    def _as_seen_by_bot(self, message: dict) -> dict:
        """Without the message content intent, guild messages arrive empty unless they mention the bot."""
        granted = self.intents is not None and self.intents & MESSAGE_CONTENT_INTENT
        mentioned = any(int(u["id"]) == self.bot_id for u in message["mentions"])
        if granted or mentioned or "guild_id" not in message or int(message["author"]["id"]) == self.bot_id:
            return message
        return {**message, "content": "", "embeds": [], "attachments": [], "components": []}

    async def _dispatch(self, event: str, data: dict) -> None:
        """Sends the event on the shard of the guild it belongs to."""
        shard_id = self.shard_of(int(data["guild_id"]) if data.get("guild_id") else None)
        await self._send(shard_id, event, data)

    async def _send(self, shard_id: int, event: str, data: dict) -> None:
        ws = self._sessions.get(shard_id)
        if ws is None:
            raise AssertionError(f"{event} sent before shard {shard_id} connected")
        async with self._send_lock:  # one frame at a time, in sequence order
            self._seqs[shard_id] = seq = self._seqs.get(shard_id, 0) + 1
            await ws.send_str(json.dumps({"op": 0, "t": event, "s": seq, "d": data}))
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _bot_message(self, channel_id: int, body: dict, *, flags: int = 0, kind: int = 0) -> dict:
        channel = self.channels[channel_id]
        reference = body.get("message_reference")
        referenced = self.messages.get(int(reference["message_id"])) if reference else None
        message = p.message(
            message_id=p.snowflake(),
            channel_id=channel_id,
            guild_id=self._guild_of(channel),
            author=self.bot,
            flags=flags,
            reference=reference,
            referenced=referenced,
            kind=19 if reference else kind,
        )
        self._apply(message, body)
        return message

    def _apply(self, message: dict, body: dict) -> None:
        for key in ("content", "embeds", "components"):
            if key in body and body[key] is not None:
                message[key] = body[key]
        if body.get("attachments") is not None:
            # The list replaces the message's attachments: new uploads, and kept ones by id.
            kept = {a["id"]: a for a in message.get("attachments", [])}
            message["attachments"] = [a if "url" in a else kept[str(a["id"])] for a in body["attachments"]
                                      if "url" in a or str(a["id"]) in kept]  # fmt: skip
        pinged = self._pinged(message, body.get("allowed_mentions"))
        if pinged:
            self.pings.append((int(message["id"]), pinged))

    def _pinged(self, message: dict, allowed: dict | None) -> set[str]:
        """Who Discord would notify for this message content (embeds never ping)."""
        content = message.get("content") or ""
        parse = set(allowed.get("parse", [])) if allowed is not None else {"users", "roles", "everyone"}
        users = set(allowed.get("users", [])) if allowed is not None else set()
        roles = set(allowed.get("roles", [])) if allowed is not None else set()
        pinged = set()
        if "everyone" in parse and re.search(r"@(everyone|here)", content):
            pinged.add("@everyone")
        for user_id in re.findall(r"<@!?(\d+)>", content):
            if "users" in parse or user_id in users:
                pinged.add(f"user:{user_id}")
        for role_id in re.findall(r"<@&(\d+)>", content):
            if "roles" in parse or role_id in roles:
                pinged.add(f"role:{role_id}")
        replied = message.get("referenced_message")
        if replied and (allowed is None or allowed.get("replied_user", False)):
            pinged.add(f"user:{replied['author']['id']}")
        return pinged

    # ----------------------------------------------------------------- internals: HTTP

    @web.middleware
    async def _middleware(self, request: web.Request, handler) -> web.StreamResponse:
        path = request.path
        for i, (method, pattern, retry_after) in enumerate(self._rate_limits):
            if method == request.method and pattern.search(path):
                del self._rate_limits[i]
                self.requests.append((request.method, path, 429))
                return json_response(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": retry_after,
                        "global": False,
                    },
                    status=429,
                    headers={
                        "Retry-After": str(retry_after),
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": str(retry_after),
                        "X-RateLimit-Bucket": "fake-bucket",
                        "X-RateLimit-Scope": "user",
                        "Via": "1.1 google",
                    },
                )
        needs_token = path.startswith(API) and not path.startswith(
            (API + "/interactions/", API + "/webhooks/")
        )
        if needs_token and request.headers.get("Authorization") != f"Bot {self.token}":
            response: web.StreamResponse = json_response({"message": "401: Unauthorized", "code": 0}, 401)
        else:
            try:
                response = await handler(request)
            except BadUpload as exc:
                response = self._invalid(request, exc.errors)
            except web.HTTPNotFound:
                self.unhandled.append(f"{request.method} {path}")
                response = json_response({"message": "404: Not Found", "code": 0}, 404)
            except web.HTTPMethodNotAllowed:
                self.unhandled.append(f"{request.method} {path}")
                response = json_response({"message": "405: Method Not Allowed", "code": 0}, 405)
        self.requests.append((request.method, path, response.status))
        await self._notify()
        return response

    def _refuse(
        self, request: web.Request, status: int, code: int, message: str, errors: list[str] = ()
    ) -> web.Response:
        self.refusals.append(Refusal(request.method, request.path, status, code, list(errors)))
        body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            body["errors"] = {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": e} for e in errors]}
        return json_response(body, status)

    def _invalid(self, request: web.Request, errors: list[str]) -> web.Response:
        return self._refuse(request, 400, 50035, "Invalid Form Body", errors)

    async def _body(self, request: web.Request) -> dict:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            payload = json.loads(form["payload_json"])
            # An interaction callback lists its attachments in its `data`, a message at its top.
            message = payload["data"] if request.path.endswith("/callback") else payload
            message["attachments"] = self._uploaded(form, message.get("attachments") or [])
            return payload
        return await request.json() if request.can_read_body else {}

    def _uploaded(self, form, listed: list[dict]) -> list[dict]:
        """The attachments a multipart message lists: each new one (its id the N of its
        `files[N]` part) stored and given a CDN url, as Discord does; ones the message has
        already, as listed. A file part the list does not name, or one over the limit, is
        refused."""
        parts = {
            int(key[6:-1]): value
            for key, value in form.items()
            if re.fullmatch(r"files\[\d+\]", key) and isinstance(value, web.FileField)
        }
        new = {int(a["id"]): a for a in listed if str(a.get("id", "")).isdigit() and int(a["id"]) in parts}
        errors = [f"files[{n}]: not listed in attachments" for n in sorted(set(parts) - set(new))]
        resolved = []
        for a in listed:
            index = int(a["id"]) if str(a.get("id", "")).isdigit() else None
            if index not in new:
                resolved.append(a)  # one the message has already
                continue
            data = parts[index].file.read()
            if len(data) > ATTACHMENT_LIMIT:
                errors.append(f"files[{index}]: larger than {ATTACHMENT_LIMIT} bytes")
                continue
            filename = a.get("filename") or parts[index].filename
            # Discord names the type from the file's name, whatever the part's header says.
            kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            resolved.append(self._upload(FakeFile(filename, data), kind))
        if errors:
            raise BadUpload(errors)
        return resolved

    async def _me(self, request: web.Request) -> web.Response:
        return json_response(self.bot)

    async def _application(self, request: web.Request) -> web.Response:
        return json_response(p.application(self.app_id, self.owner))

    async def _attachment(self, request: web.Request) -> web.Response:
        data = self.files.get(request.path)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="text/plain")

    async def _sync(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        scope = int(guild) if guild else None
        commands = await self._body(request)
        stored = []
        for command in commands:
            if (
                not re.fullmatch(r"[-_\w]{1,32}", command["name"])
                or not 1 <= len(command.get("description", "")) <= 100
            ):
                return self._invalid(request, [f"command {command['name']!r}: bad name or description"])
            stored.append(
                {
                    **command,
                    "id": str(p.snowflake()),
                    "application_id": str(self.app_id),
                    "guild_id": guild,
                    "version": str(p.snowflake()),
                    "type": command.get("type", 1),
                }
            )
        self.commands[scope] = stored
        return json_response(stored)

    def _interaction_by_token(self, token: str) -> Interaction | None:
        return next((i for i in self.interactions.values() if i.token == token), None)

    async def _callback(self, request: web.Request) -> web.Response:
        record = self.interactions.get(int(request.match_info["id"]))
        if record is None or record.token != request.match_info["token"]:
            return self._refuse(request, 404, 10062, "Unknown interaction")
        if time.monotonic() - record.sent_at > ACK_DEADLINE:
            return self._refuse(request, 404, 10062, "Unknown interaction")
        if record.acked_at is not None:
            return self._refuse(request, 400, 40060, "Interaction has already been acknowledged.")
        body = await self._body(request)
        kind, data = body["type"], body.get("data") or {}
        message = None
        if kind == 8:
            errors = choice_errors(data.get("choices", []))
            if errors:
                return self._invalid(request, errors)
            record.choices = data.get("choices", [])
        elif kind in (4, 5):
            errors = message_errors(data) if kind == 4 else []
            if errors:
                return self._invalid(request, errors)
            flags = (data.get("flags", 0) & EPHEMERAL) | (LOADING if kind == 5 else 0)
            message = self._bot_message(record.channel_id, data if kind == 4 else {}, flags=flags, kind=20)
            self.messages[int(message["id"])] = message
            record.original_id = int(message["id"])
        elif kind in (6, 7):
            if record.message_id is None:
                return self._invalid(request, ["only component interactions can update their message"])
            message = self.messages[record.message_id]
            if kind == 7:
                errors = message_errors(data)
                if errors:
                    return self._invalid(request, errors)
                self._apply(message, data)
            record.original_id = record.message_id
        else:
            return self._invalid(request, [f"unknown interaction response type {kind}"])
        record.acked_at = time.monotonic()
        record.response_type = kind
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(record.id),
                "type": record.kind,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
            }
        }
        if message is not None:
            answer["resource"] = {"type": kind, "message": message}
        return json_response(answer)

    def _webhook_interaction(self, request: web.Request) -> Interaction | None:
        """The interaction whose token the webhook route carries, while the token lasts."""
        record = self._interaction_by_token(request.match_info["token"])
        if record is None or record.acked_at is None or int(request.match_info["app"]) != self.app_id:
            return None
        if time.monotonic() - record.sent_at > TOKEN_LIFETIME:
            return None
        return record

    async def _followup(self, request: web.Request) -> web.Response:
        record = self._webhook_interaction(request)
        if record is None:
            return self._refuse(request, 404, 10015, "Unknown Webhook")
        body = await self._body(request)
        errors = message_errors(body)
        if errors:
            return self._invalid(request, errors)
        original = self.messages.get(record.original_id or 0)
        if (
            record.response_type == 5
            and original is not None
            and not record.original_deleted
            and original["flags"] & LOADING
        ):
            # The first follow-up after a deferred response replaces the "thinking…" message,
            # keeping its visibility: an ephemeral flag cannot make a public deferral private.
            original["flags"] &= ~LOADING
            self._apply(original, body)
            message = original
        else:
            message = self._bot_message(record.channel_id, body, flags=body.get("flags", 0) & EPHEMERAL)
            self.messages[int(message["id"])] = message
        record.followup_ids.append(int(message["id"]))
        return json_response(message)

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_interaction(request)
        target = request.match_info["message"]
        message_id = (
            record.original_id
            if record and target == "@original"
            else (int(target) if target.isdigit() else None)
        )
        if (
            record is None
            or message_id is None
            or message_id not in self.messages
            or (target == "@original" and record.original_deleted)
        ):
            return self._refuse(
                request,
                404,
                10008 if record else 10015,
                "Unknown Message" if record else "Unknown Webhook",
            )
        body = await self._body(request)
        errors = message_errors(body)
        if errors:
            return self._invalid(request, errors)
        message = self.messages[message_id]
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = p.timestamp()
        self._apply(message, body)
        return json_response(message)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        record = self._webhook_interaction(request)
        if record is None or request.match_info["message"] != "@original" or record.original_id is None:
            return self._refuse(request, 404, 10008, "Unknown Message")
        record.original_deleted = True
        return web.Response(status=204)

    async def _create_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel"])
        if channel_id not in self.channels:
            return self._refuse(request, 404, 10003, "Unknown Channel")
        body = await self._body(request)
        errors = message_errors(body)
        if not (body.get("content") or body.get("embeds")):
            errors.append("Cannot send an empty message")
        if errors:
            return self._invalid(request, errors)
        message = self._bot_message(channel_id, body)
        await self._store_message(message)
        return json_response(message)

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(int(request.match_info["message"]))
        if message is None or int(message["author"]["id"]) != self.bot_id:
            return self._refuse(request, 404, 10008, "Unknown Message")
        body = await self._body(request)
        errors = message_errors(body)
        if errors:
            return self._invalid(request, errors)
        self._apply(message, body)
        return json_response(message)

    async def _start_thread(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel"])
        message_id = int(request.match_info["message"])
        channel = self.channels.get(channel_id)
        if channel is None or message_id not in self.messages:
            return self._refuse(request, 404, 10008, "Unknown Message")
        if self.forbid_threads:
            return self._refuse(request, 403, 50013, "Missing Permissions")
        if message_id in self.channels:
            return self._refuse(request, 400, 160004, "A thread has already been created for this message")
        body = await self._body(request)
        name = body.get("name", "")
        if not 1 <= len(name) <= 100:
            return self._invalid(request, ["name: must be 1 to 100 in length"])
        # Discord gives a thread started from a message the message's id.
        thread = p.thread(message_id, int(channel["guild_id"]), channel_id, self.bot_id, name)
        self.channels[message_id] = thread
        await self._dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return json_response(thread)

    async def _typing(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    # ----------------------------------------------------------------- internals: gateway

    def _guild_payload(self, guild_id: int) -> dict:
        roles = [p.role(guild_id, "@everyone", 0, permissions=0x4_0000_0000 | 0x800 | 0x400)]
        if guild_id == self.guild_id:
            roles.append(p.role(self.admin_role_id, "archive admins", 1))
        members = [p.member(self.bot, [])]
        channels = [c for c in self.channels.values() if c.get("guild_id") == str(guild_id)]
        return p.guild(
            guild_id,
            self.guild_names[guild_id],
            int(self.owner["id"]),
            roles=roles,
            channels=channels,
            members=members,
        )

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif message["op"] == 2:
                identify = message["d"]
                if identify["token"] != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                if identify["intents"] & MESSAGE_CONTENT_INTENT and not self.portal_message_content:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                shard = identify.get("shard")
                shard_id, shard_count = shard or (0, 1)
                if not 0 <= shard_id < shard_count:
                    await ws.close(code=4010, message=b"Invalid shard.")
                    break
                self.identified_shards.append(shard)
                self.intents = identify["intents"]
                self._shard_count = shard_count
                self._sessions[shard_id] = ws
                await self._identified(shard_id, shard)
        for shard_id, session in list(self._sessions.items()):
            if session is ws:
                del self._sessions[shard_id]
        return ws

    async def _identified(self, shard_id: int, shard: list[int] | None) -> None:
        """READY, then GUILD_CREATE for each guild of the shard; ready once every shard is."""
        guild_ids = [g for g in self.guild_names if self.shard_of(g) == shard_id]
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
            "session_id": secrets.token_hex(16),
            "resume_gateway_url": str(self.gateway_url),
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if shard is not None:
            ready["shard"] = shard
        await self._send(shard_id, "READY", ready)
        for guild_id in guild_ids:
            await self._send(shard_id, "GUILD_CREATE", self._guild_payload(guild_id))
        self.ready = len(self._sessions) == self._shard_count
        await self._notify()

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": str(self.gateway_url),
                "shards": self.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )
