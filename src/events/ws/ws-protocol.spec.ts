import { matches, parseClientMessage, ProtocolError, tokenFromProtocols, wants } from './ws-protocol';

describe('WebSocket protocol', () => {
  it('parses auth, subscribe and ping; names what is wrong otherwise', () => {
    expect(parseClientMessage('{"type":"auth","token":"abc"}')).toEqual({ type: 'auth', token: 'abc' });
    expect(
      parseClientMessage(
        '{"type":"subscribe","types":["telegram.account.*"],"last_event_id":"6f1c2a8e-1b7d-4c3e-9a55-0d6b7a3c9e21"}',
      ),
    ).toEqual({
      type: 'subscribe',
      types: ['telegram.account.*'],
      last_event_id: '6f1c2a8e-1b7d-4c3e-9a55-0d6b7a3c9e21',
    });
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
    const refused = (raw: string) => {
      try {
        parseClientMessage(raw);
      } catch (error) {
        return (error as ProtocolError).code;
      }
      return 'accepted';
    };
    expect(refused('nope')).toBe('bad_message');
    expect(refused('[1]')).toBe('bad_message');
    expect(refused('{"type":"auth"}')).toBe('bad_message');
    expect(refused('{"type":"subscribe","types":"telegram.*"}')).toBe('bad_message');
    expect(refused('{"type":"subscribe","types":["telegram.nothing"]}')).toBe('unknown_type');
    expect(refused('{"type":"subscribe","types":[],"last_event_id":"42"}')).toBe('bad_message');
    expect(refused('{"type":"hello"}')).toBe('bad_message');
  });

  it('matches exact types, prefixes with .* and everything with *', () => {
    expect(matches('telegram.account.*', 'telegram.account.connected')).toBe(true);
    expect(matches('telegram.account.*', 'telegram.accounts.x')).toBe(false);
    expect(matches('telegram.*', 'telegram.qr_login.scanned')).toBe(true);
    expect(matches('telegram.bot.added', 'telegram.bot.added')).toBe(true);
    expect(matches('telegram.bot.added', 'telegram.bot.removed')).toBe(false);
    expect(matches('*', 'telegram.bot.removed')).toBe(true);
    expect(wants(undefined, 'telegram.bot.removed')).toBe(true);
    expect(wants(['telegram.qr_login.*'], 'telegram.bot.removed')).toBe(false);
  });

  it('reads the token offered as `bearer, <token>` in Sec-WebSocket-Protocol', () => {
    expect(tokenFromProtocols('bearer, eyJ.a.b')).toBe('eyJ.a.b');
    expect(tokenFromProtocols('graphql-ws')).toBeUndefined();
    expect(tokenFromProtocols('bearer')).toBeUndefined();
    expect(tokenFromProtocols(undefined)).toBeUndefined();
  });
});
