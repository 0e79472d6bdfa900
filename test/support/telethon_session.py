"""Makes a Telethon StringSession against the Telegram emulator server, as Telethon's users make one.

usage: telethon_session.py HOST PORT N_HEX E API_ID API_HASH PHONE
Prints the saved session (one line). Run with Debian's /usr/bin/python3 (python3-telethon).
"""
import asyncio
import sys

import rsa
from telethon import TelegramClient
from telethon.crypto import rsa as telethon_rsa
from telethon.errors import SessionPasswordNeededError
from telethon.sessions import StringSession


async def main():
    host, port, n_hex, e, api_id, api_hash, phone = sys.argv[1:8]
    telethon_rsa.add_key(rsa.PublicKey(int(n_hex, 16), int(e)).save_pkcs1().decode(), old=False)
    session = StringSession()
    session.set_dc(1, host, int(port))
    client = TelegramClient(session, int(api_id), api_hash, connection_retries=1, retry_delay=0,
                            request_retries=2, timeout=10)
    await client.connect()
    sent = await client.send_code_request(phone)
    try:
        await client.sign_in(phone, phone[5] * 5, phone_code_hash=sent.phone_code_hash)
    except SessionPasswordNeededError:
        await client.sign_in(password="emulator-2fa")
    print(client.session.save(), flush=True)
    await client.disconnect()


asyncio.run(main())
