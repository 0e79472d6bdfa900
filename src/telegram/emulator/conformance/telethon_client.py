"""Telethon (Debian python3-telethon), unmodified, against the Telegram emulator server.

Configured as its users configure a custom network: the server's RSA key through
telethon.crypto.rsa.add_key, DC 1's address through session.set_dc. Prints one JSON line per
step: {"client", "layer", "step", "ok", "detail"}. Run by telethon.conformance.spec.ts with
/usr/bin/python3.

usage: telethon_client.py HOST PORT N_HEX E API_ID API_HASH PHONE CODE
"""
import asyncio
import json
import sys

import rsa
import telethon
from telethon import TelegramClient, functions
from telethon.crypto import rsa as telethon_rsa
from telethon.sessions import MemorySession
from telethon.tl.alltlobjects import LAYER


def report(step, ok, detail=""):
    print(json.dumps({"client": "telethon " + telethon.__version__, "layer": LAYER,
                      "step": step, "ok": ok, "detail": str(detail)[:300]}), flush=True)


async def main():
    host, port, n_hex, e, api_id, api_hash, phone, code = sys.argv[1:9]
    telethon_rsa.add_key(rsa.PublicKey(int(n_hex, 16), int(e)).save_pkcs1().decode(), old=False)
    session = MemorySession()
    session.set_dc(1, host, int(port))
    client = TelegramClient(session, int(api_id), api_hash, connection_retries=0,
                            retry_delay=0, request_retries=1, timeout=10)
    try:
        await client.connect()
        report("auth key exchange (legacy RSA)", session.auth_key is not None)
    except Exception as error:  # report, then stop: every later step needs the connection
        report("auth key exchange (legacy RSA)", session.auth_key is not None, repr(error))
        report("connect (help.getConfig in invokeWithLayer)", False, repr(error))
        return
    report("connect (help.getConfig in invokeWithLayer)", True)
    try:
        config = await client(functions.help.GetConfigRequest())
        report("help.getConfig", True, [(o.id, o.ip_address, o.port) for o in config.dc_options])
        sent = await client.send_code_request(phone)
        me = await client.sign_in(phone, code, phone_code_hash=sent.phone_code_hash)
        report("phone-code sign-in", getattr(me, "phone", None) == phone, me.phone)
    except Exception as error:
        report("help.getConfig / sign-in", False, repr(error))
    finally:
        await client.disconnect()


asyncio.run(main())
