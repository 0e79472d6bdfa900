"""Telethon (Debian python3-telethon), unmodified, against the Telegram emulator server.

Configured as its users configure a custom network: the server's RSA key through
telethon.crypto.rsa.add_key, DC 1's address through session.set_dc. Prints one JSON line per
step: {"client", "layer", "step", "ok", "detail"}. Run by telethon.conformance.spec.ts with
/usr/bin/python3.

usage: telethon_client.py HOST PORT N_HEX E API_ID API_HASH
(for the QR step it prints {"qr_url", "phone"}: the caller scans it in the emulator's world)
"""
import asyncio
import json
import sys

import rsa
import telethon
from telethon import TelegramClient, functions
from telethon.crypto import rsa as telethon_rsa
from telethon.errors import SessionPasswordNeededError
from telethon.network import (ConnectionTcpAbridged, ConnectionTcpFull, ConnectionTcpIntermediate,
                              ConnectionTcpObfuscated)
from telethon.sessions import StringSession
from telethon.tl.alltlobjects import LAYER


def report(step, ok, detail=""):
    print(json.dumps({"client": "telethon " + telethon.__version__, "layer": LAYER,
                      "step": step, "ok": ok, "detail": str(detail)[:300]}), flush=True)


def make_client(host, port, api_id, api_hash, saved=None, connection=ConnectionTcpFull):
    session = StringSession(saved) if saved else StringSession()
    if not saved:
        session.set_dc(1, host, int(port))
    return TelegramClient(session, int(api_id), api_hash, connection=connection,
                          connection_retries=1, retry_delay=0, request_retries=2, timeout=10)


async def step(name, action):
    try:
        detail = await action()
        report(name, True, detail)
        return True
    except Exception as error:  # each step reports its own failure; later steps still run
        report(name, False, repr(error))
        return False


async def main():
    host, port, n_hex, e, api_id, api_hash = sys.argv[1:7]
    telethon_rsa.add_key(rsa.PublicKey(int(n_hex, 16), int(e)).save_pkcs1().decode(), old=False)
    new = lambda saved=None: make_client(host, port, api_id, api_hash, saved)
    clients = []

    async def connect():
        client = new()
        clients.append(client)
        await client.connect()  # the auth-key exchange, then help.getConfig in invokeWithLayer
        config = await client(functions.help.GetConfigRequest())
        return [(o.id, o.ip_address, o.port) for o in config.dc_options]

    async def sign_in(phone, password=None):
        client = new()
        clients.append(client)
        await client.connect()
        sent = await client.send_code_request(phone)
        try:
            me = await client.sign_in(phone, phone[5] * 5, phone_code_hash=sent.phone_code_hash)
        except SessionPasswordNeededError:
            if password is None:
                raise
            me = await client.sign_in(password=password)
        if me.phone != phone:
            raise AssertionError("signed in as " + str(me.phone))
        return client

    async def transports():
        names = []
        for connection in (ConnectionTcpIntermediate, ConnectionTcpAbridged, ConnectionTcpObfuscated):
            client = make_client(host, port, api_id, api_hash, connection=connection)
            clients.append(client)
            await client.connect()
            await client(functions.help.GetNearestDcRequest())
            names.append(connection.__name__)
        return names

    async def phone_code():
        await sign_in("9996610101")
        return "ok"

    async def migrate():
        client = await sign_in("9996620102")
        return "dc %d" % client.session.dc_id

    async def two_factor():
        await sign_in("9996612103", "emulator-2fa")
        return "ok"

    async def qr_login():
        client = new()
        clients.append(client)
        await client.connect()
        qr = await client.qr_login()
        print(json.dumps({"qr_url": qr.url, "phone": "9996610104"}), flush=True)
        me = await qr.wait(20)
        return me.phone

    async def dialogs_and_send():
        client = await sign_in("9996610105")
        dialogs = await client.get_dialogs(limit=20)
        target = next(d for d in dialogs if d.is_group or d.is_user)
        sent = await client.send_message(target.entity, "hello from telethon")
        return "%d dialogs, message %d" % (len(dialogs), sent.id)

    async def reconnect():
        client = await sign_in("9996610106")
        saved = client.session.save()
        await client.disconnect()
        again = new(saved)
        clients.append(again)
        await again.connect()
        me = await again.get_me()
        if me.phone != "9996610106":
            raise AssertionError("restored as " + str(me.phone))
        return "ok"

    async def bot():
        client = new()
        clients.append(client)
        await client.connect()
        me = await client.sign_in(bot_token="9997710001:" + "A" * 35)
        if not me.bot:
            raise AssertionError("not a bot")
        return me.username

    if await step("connect + help.getConfig", connect):
        await step("transports: intermediate, abridged, obfuscated", transports)
        await step("phone-code sign-in", phone_code)
        await step("PHONE_MIGRATE", migrate)
        await step("2FA (SRP)", two_factor)
        await step("QR login", qr_login)
        await step("dialogs + sending a message", dialogs_and_send)
        await step("reconnect with the saved session", reconnect)
        await step("bot sign-in", bot)
    for client in clients:
        await client.disconnect()


asyncio.run(main())
