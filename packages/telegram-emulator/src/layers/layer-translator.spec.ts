import { Api } from 'telegram';
import { buildConfig } from '../tl-builders';
import { ConnectionLayer } from './connection-layer';
import { defaultLayerTranslator } from './layer-translator';
import { readTl, writeTl, type TlObject } from './tl-transcoder';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};

describe('layer translation (one schema-driven TL reader/writer, schemas from the packages)', () => {
  const translator = defaultLayerTranslator();

  it('knows GramJS’s layer (the base) and mtcute’s', () => {
    expect(translator.base.layer).toBe(198);
    expect(translator.layers).toEqual(expect.arrayContaining([198, 223, 227]));
  });

  it('writes the world’s config#cc1a241e with layer 227’s constructor, every dc_option kept', () => {
    const config = buildConfig(2, 1_800_000_000).getBytes();
    expect(config.readUInt32LE(0)).toBe(0xcc1a241e);
    const mtcute = translator.schemaFor(227);
    const answer = translator.result(config, 'Config', 227);
    expect(answer.readUInt32LE(0)).toBe(mtcute.byName.get('config')?.id);
    const read = readTl(answer, mtcute) as TlObject;
    expect(read.this_dc).toBe(2);
    expect((read.dc_options as TlObject[]).map((o) => o.id)).toEqual([1, 2, 3]);
  });

  it('reads a request in the client’s layer and answers the type of the query it wraps', () => {
    const mtcute = translator.schemaFor(227);
    const request = writeTl(
      {
        _: 'invokeWithLayer',
        layer: 227,
        query: { _: 'help.getNearestDc' },
      },
      mtcute,
    );
    const { body, resultType } = translator.request(request, 227);
    expect(resultType).toBe('NearestDc');
    expect(body.readUInt32LE(0)).toBe(0xda9b0d0d);
    expect(body.readUInt32LE(8)).toBe(Api.help.GetNearestDc.CONSTRUCTOR_ID >>> 0);
  });

  it('a connection keeps the layer of its first invokeWithLayer; bytes pass unchanged in the base layer', () => {
    const layer = new ConnectionLayer(() => translator);
    const getConfig = u32(0xc4f9186b); // help.getConfig, no layer declared yet
    expect(layer.inbound(getConfig)).toEqual({ ok: true, body: getConfig });
    const base = Buffer.concat([u32(0xda9b0d0d), u32(198), getConfig]);
    expect(layer.inbound(base)).toEqual({ ok: true, body: base });
    expect(layer.layer).toBe(198);
    const unknown = Buffer.concat([u32(0xda9b0d0d), u32(227), u32(0x12345678)]);
    expect(layer.inbound(unknown)).toEqual({
      ok: false,
      errorCode: 400,
      errorMessage: 'INPUT_METHOD_INVALID',
    });
    expect(layer.layer).toBe(227);
  });
});
