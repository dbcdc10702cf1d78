// The protobuf wire-format codec of the ONNX export and import
// (js/onnx/protobuf.js, js/onnx/schema.js): hand-computed bytes from the
// protobuf encoding spec, round trips, malformed input (typed errors, never a
// hang), and agreement with the real protobuf library through Debian's
// python3-onnx both ways (the test fails, never skips, without it:
// sudo apt-get install python3-onnx).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ProtoReader, ProtoWriter, WIRE, MAX_DEPTH, encode, decode } from '../js/onnx/protobuf.js';
import { ONNX, DATA_TYPE, ATTRIBUTE_TYPE } from '../js/onnx/schema.js';

const hex = (u8) => Buffer.from(u8).toString('hex');
const fromHex = (s) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const formatError = (re) => (e) => e.name === 'RnnError' && e.code === 'FORMAT' && re.test(e.message);

test('varints: the encoding spec\'s examples, 64-bit edges and negatives as 10 bytes', () => {
  const w = (v) => hex(new ProtoWriter().varint(v).finish());
  assert.equal(w(0), '00');
  assert.equal(w(1), '01');
  assert.equal(w(127), '7f');
  assert.equal(w(150), '9601');
  assert.equal(w(300), 'ac02');
  assert.equal(w(2 ** 32), '8080808010');
  assert.equal(w(Number.MAX_SAFE_INTEGER), 'ffffffffffffff0f');
  assert.equal(w(-1), 'ffffffffffffffffff01');
  assert.equal(w(-2n), 'feffffffffffffffff01');
  assert.equal(w(2n ** 63n - 1n), 'ffffffffffffffff7f');
  assert.equal(w(2n ** 64n - 1n), 'ffffffffffffffffff01');
  assert.throws(() => w(2n ** 64n), (e) => e.code === 'INVALID_ARGUMENT');

  const r = (s) => new ProtoReader(fromHex(s));
  assert.equal(r('ac02').uint(), 300);
  assert.equal(r('ffffffffffffffffff01').int64(), -1);
  assert.equal(r('ffffffffffffffffff01').int32(), -1);
  assert.equal(r('feffffffffffffffff01').bigint(true), -2n);
  assert.equal(r('ffffffffffffffffff01').bigint(false), 2n ** 64n - 1n);
  assert.equal(r('ffffffffffffffff7f').bigint(true), 2n ** 63n - 1n);
  assert.equal(r('ffffffffffffffff7f').int64(), 2 ** 63); // rounded, as documented
  assert.equal(r('8080808010').uint(), 2 ** 32);
  // every value written reads back, across the 7-bit group boundaries
  for (let k = 0; k < 64; k++) {
    for (const v of [(1n << BigInt(k)) - 1n, 1n << BigInt(k)]) {
      assert.equal(new ProtoReader(new ProtoWriter().varint(v).finish()).bigint(false), v);
      const s = BigInt.asIntN(64, -v);
      assert.equal(new ProtoReader(new ProtoWriter().varint(s).finish()).bigint(true), s);
    }
  }
});

test('fixed32 / fixed64 / float / double are little-endian; tags are field * 8 + wire', () => {
  const w = new ProtoWriter().tag(1, WIRE.I32).float(1).tag(2, WIRE.I64).double(-2)
    .tag(3, WIRE.I32).fixed32(0xdeadbeef).tag(4, WIRE.I64).fixed64(0x0102030405060708n);
  assert.equal(hex(w.finish()), '0d0000803f' + '11' + '00000000000000c0' + '1defbeadde' + '210807060504030201');
  const r = new ProtoReader(w.finish());
  assert.deepEqual(r.tag(), { field: 1, wire: WIRE.I32 }); assert.equal(r.float(), 1);
  assert.deepEqual(r.tag(), { field: 2, wire: WIRE.I64 }); assert.equal(r.double(), -2);
  assert.deepEqual(r.tag(), { field: 3, wire: WIRE.I32 }); assert.equal(r.fixed32(), 0xdeadbeef);
  assert.deepEqual(r.tag(), { field: 4, wire: WIRE.I64 }); assert.equal(r.fixed64(), 0x0102030405060708n);
  assert.equal(r.more(), false);
});

test('nested writers are appended without copying and length-prefixed', () => {
  const inner = new ProtoWriter().len(1, 'hi'); // 0a 02 68 69
  const w = new ProtoWriter().len(2, inner).len(3, new Uint8Array([9]));
  assert.equal(hex(w.finish()), '1204' + '0a026869' + '1a0109');
});

test('encode: packed fields packed, repeated ones not, unset fields absent, key order kept', () => {
  const t = encode(ONNX, 'TensorProto', { dims: [2, 3], data_type: DATA_TYPE.FLOAT, float_data: [1, 2], name: 'w' });
  // dims (repeated, unpacked in onnx.proto): 08 02 08 03; data_type: 10 01;
  // float_data (packed): 22 08 <2 floats>; name: 42 01 77
  assert.equal(hex(t), '08020803' + '1001' + '2208' + '0000803f00000040' + '420177');
  const a = encode(ONNX, 'AttributeProto', { name: 'x', type: ATTRIBUTE_TYPE.INTS, ints: [-1, 5] });
  assert.equal(hex(a), '0a0178' + 'a00107' + '40ffffffffffffffffff01' + '4005');
  assert.throws(() => encode(ONNX, 'TensorProto', { nope: 1 }), (e) => e.code === 'INVALID_ARGUMENT' && /nope/.test(e.message));
  assert.throws(() => encode(ONNX, 'Nope', {}), (e) => e.code === 'INVALID_ARGUMENT');
});

const model = () => ({
  ir_version: 8,
  producer_name: 'rnn-wasm ✓',
  opset_import: [{ domain: '', version: 17 }],
  graph: {
    name: 'g',
    node: [{
      op_type: 'LSTM', name: 'lstm', input: ['X', 'W', 'R', '', '', 'h0'], output: ['Y'],
      attribute: [
        { name: 'hidden_size', type: ATTRIBUTE_TYPE.INT, i: 4 },
        { name: 'direction', type: ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode('bidirectional') },
        { name: 'activation_alpha', type: ATTRIBUTE_TYPE.FLOATS, floats: [0.25, 0.5] },
        { name: 'body', type: ATTRIBUTE_TYPE.GRAPH, g: { name: 'sub', node: [{ op_type: 'Identity', input: ['a'], output: ['b'] }] } },
      ],
    }],
    initializer: [{ name: 'W', dims: [1, 16, 3], data_type: DATA_TYPE.FLOAT, raw_data: new Uint8Array(new Float32Array([1.5, -2]).buffer) },
      { name: 'S', dims: [3], data_type: DATA_TYPE.INT64, int64_data: [-1, 0, 2 ** 40] }],
    input: [{ name: 'X', type: { tensor_type: { elem_type: DATA_TYPE.FLOAT, shape: { dim: [{ dim_param: 'time' }, { dim_value: 3 }] } } } }],
  },
});

test('decode(encode(m)) gives m back: nested messages, packed and unpacked repeats, bytes, UTF-8', () => {
  const m = model();
  const back = decode(ONNX, 'ModelProto', encode(ONNX, 'ModelProto', m));
  assert.equal(back.ir_version, 8);
  assert.equal(back.producer_name, 'rnn-wasm ✓');
  assert.deepEqual(back.opset_import, [{ domain: '', version: 17 }]);
  assert.deepEqual(back.metadata_props, []);
  assert.equal(back.doc_string, undefined);
  const node = back.graph.node[0];
  assert.deepEqual(node.input, ['X', 'W', 'R', '', '', 'h0']);
  assert.equal(node.attribute[0].i, 4);
  assert.equal(new TextDecoder().decode(node.attribute[1].s), 'bidirectional');
  assert.deepEqual(node.attribute[2].floats, [0.25, 0.5]);
  assert.equal(node.attribute[3].g.node[0].op_type, 'Identity');
  const [W, S] = back.graph.initializer;
  assert.deepEqual(W.dims, [1, 16, 3]);
  assert.deepEqual([...new Float32Array(W.raw_data.slice().buffer)], [1.5, -2]);
  assert.deepEqual(S.int64_data, [-1, 0, 2 ** 40]);
  assert.deepEqual(back.graph.input[0].type.tensor_type.shape.dim, [{ dim_param: 'time' }, { dim_value: 3 }]);
});

test('decode accepts unpacked encodings of packed fields (and packed of unpacked ones), skips unknown fields', () => {
  // TensorProto.float_data unpacked: 25 <f32> twice; dims packed: 0a 02 02 03; unknown field 99 (varint) and 100 (LEN)
  const bytes = fromHex('250000803f' + '2500000040' + '0a020203' + '98060f' + 'a2060201ff');
  const t = decode(ONNX, 'TensorProto', bytes);
  assert.deepEqual(t.float_data, [1, 2]);
  assert.deepEqual(t.dims, [2, 3]);
});

test('malformed input: typed FORMAT errors naming the problem, never a hang', () => {
  const good = encode(ONNX, 'ModelProto', model());
  // every truncation of a valid model either decodes (cut at a field boundary) or throws FORMAT
  for (let n = 0; n < good.length; n++) {
    try { decode(ONNX, 'ModelProto', good.subarray(0, n)); } catch (e) {
      assert.equal(e.name, 'RnnError', `cut at ${n}: ${e}`);
      assert.equal(e.code, 'FORMAT', `cut at ${n}: ${e.message}`);
    }
  }
  const d = (s) => () => decode(ONNX, 'ModelProto', fromHex(s));
  assert.throws(d('08'), formatError(/truncated varint/));
  assert.throws(d('08ffffffffffffffffff02'), formatError(/overflows 64 bits/));
  assert.throws(d('08ffffffffffffffffffff01'), formatError(/overflows|longer than 10/));
  assert.throws(d('3a05'), formatError(/truncated length-delimited/)); // graph, 5 bytes promised, none there
  assert.throws(d('3aff'), formatError(/truncated varint/));
  assert.throws(d('0b'), formatError(/group wire type 3/));
  assert.throws(d('0e00'), formatError(/invalid wire type 6/));
  assert.throws(d('0000'), formatError(/field number 0/));
  assert.throws(d('0d00000000'), formatError(/ModelProto.ir_version \(field 1\) has wire type 5/));
  assert.throws(d('1201ff'), formatError(/invalid UTF-8/)); // producer_name
  assert.throws(d('0d0000'), formatError(/wire type 5/));
  assert.throws(() => decode(ONNX, 'TensorProto', fromHex('2203000080')), formatError(/truncated float/)); // packed floats, 3 bytes
  assert.throws(() => decode(ONNX, 'TensorProto', fromHex('9d060000')), formatError(/truncated fixed32/)); // unknown field 99 as I32, cut
  // nesting bombs: graph -> node -> attribute -> graph -> ... deeper than MAX_DEPTH
  let g = new ProtoWriter();
  for (let i = 0; i < 200; i++) {
    const attr = new ProtoWriter().len(6, g);
    const node = new ProtoWriter().len(5, attr);
    g = new ProtoWriter().len(1, node);
  }
  const bomb = new ProtoWriter().len(7, g).finish();
  assert.throws(() => decode(ONNX, 'ModelProto', bomb), formatError(new RegExp(`deeper than ${MAX_DEPTH}`)));
  assert.throws(() => new ProtoReader([1, 2]), (e) => e.code === 'INVALID_ARGUMENT');
});

test('random bytes never hang or throw anything but FORMAT', () => {
  let s = 12345;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  const good = encode(ONNX, 'ModelProto', model());
  for (let k = 0; k < 3000; k++) {
    const b = k % 2 ? Uint8Array.from({ length: 1 + (rand() % 64) }, rand) : good.slice();
    if (k % 2 === 0) for (let j = 0; j < 3; j++) b[rand() * 7 % b.length] = rand();
    try { decode(ONNX, 'ModelProto', b); } catch (e) {
      assert.ok(e.name === 'RnnError' && e.code === 'FORMAT', `${e.stack}`);
    }
  }
});

test('agrees with the protobuf library (python3-onnx) both ways', () => {
  const ours = encode(ONNX, 'ModelProto', model());
  const script = `
import sys, onnx
from onnx import helper, TensorProto
m = onnx.ModelProto()
m.ParseFromString(bytes.fromhex(sys.stdin.read().strip()))
n = m.graph.node[0]
assert m.ir_version == 8 and m.producer_name == 'rnn-wasm \\u2713', m.producer_name
assert list(n.input) == ['X', 'W', 'R', '', '', 'h0']
a = {x.name: x for x in n.attribute}
assert a['hidden_size'].i == 4 and a['direction'].s == b'bidirectional'
assert list(a['activation_alpha'].floats) == [0.25, 0.5]
assert a['body'].g.node[0].op_type == 'Identity'
assert list(m.graph.initializer[1].int64_data) == [-1, 0, 2 ** 40]
assert m.graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'time'
# and one made by the library, for our decoder
t = helper.make_tensor('T', TensorProto.FLOAT, [2], [0.5, -3.0])
node = helper.make_node('HardSigmoid', ['x'], ['y'], alpha=0.2, beta=0.5, name='hs')
g = helper.make_graph([node], 'lib', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', 7])],
                      [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['batch', 7])], [t])
lib = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)], producer_name='onnx')
lib.graph.node[0].attribute.append(helper.make_attribute('axes', [-1, 3]))
print(lib.SerializeToString().hex())
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: hex(ours), encoding: 'utf8' });
  if (r.error) assert.fail(`cannot run /usr/bin/python3 (${r.error.code}); sudo apt-get install python3-onnx`);
  assert.equal(r.status, 0, r.stderr);
  const lib = decode(ONNX, 'ModelProto', fromHex(r.stdout));
  assert.equal(lib.producer_name, 'onnx');
  assert.deepEqual(lib.opset_import, [{ domain: '', version: 17 }]);
  const node = lib.graph.node[0];
  assert.equal(node.op_type, 'HardSigmoid');
  const attrs = Object.fromEntries(node.attribute.map((a) => [a.name, a]));
  assert.equal(attrs.alpha.f, Math.fround(0.2));
  assert.equal(attrs.alpha.type, ATTRIBUTE_TYPE.FLOAT);
  assert.deepEqual(attrs.axes.ints, [-1, 3]);
  assert.deepEqual(lib.graph.initializer[0].float_data, [0.5, -3]);
  assert.deepEqual(lib.graph.input[0].type.tensor_type.shape.dim, [{ dim_param: 'batch' }, { dim_value: 7 }]);
});
