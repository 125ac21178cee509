/**
 * The kernel over the real protocol (ZeroMQ, a real kernel process): message security,
 * robustness after many failing cells, interrupts, rich display, and tracebacks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KernelClient } from '../../kernel/client';
import { encode, Message } from '../../kernel/wire';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const INTERRUPT_MODULE = JSON.stringify(path.join(ROOT, 'dist', 'src', 'imp', 'core', 'interrupt.js'));

function textOf(outputs: Message[], type = 'execute_result'): string {
  const m = outputs.find((o) => o.header.msg_type === type);
  return m ? String((m.content.data as Record<string, unknown>)['text/plain']) : '';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kernel protocol', () => {
  let kc: KernelClient;
  let kernelLog = '';
  before(async () => {
    kc = await KernelClient.launch({
      cwd: ROOT,
      env: { ...process.env, IMP_LAB_INTERRUPT_GRACE_MS: '800' },
      onLog: (t) => (kernelLog += t),
    });
  });
  after(async () => {
    await kc.shutdown();
  });

  test('a message with a wrong signature, none, or an altered replay is not executed', async () => {
    const probe = async () => textOf((await kc.execute('(globalThis as any).__probe ?? "unset"')).outputs);
    assert.equal(await probe(), "'unset'");

    const sendForged = async (code: string, forge: (frames: Buffer[]) => Buffer[]): Promise<string> => {
      const msg = kc.message('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
      const reply = kc.expectReply(msg.header.msg_id, 1500).then(() => 'replied', () => 'no reply');
      await kc.sendRaw('shell', forge(encode(kc.signer, msg)));
      return reply;
    };
    // frames: [<IDS|MSG>, signature, header, parent, metadata, content]
    const wrongSig = (f: Buffer[]) => [f[0], Buffer.from('0'.repeat(64)), ...f.slice(2)];
    const noSig = (f: Buffer[]) => [f[0], Buffer.from(''), ...f.slice(2)];
    assert.equal(await sendForged('(globalThis as any).__probe = "wrong-signature"', wrongSig), 'no reply');
    assert.equal(await sendForged('(globalThis as any).__probe = "no-signature"', noSig), 'no reply');

    // A valid message runs once; the same frames with altered content (signature kept) and an
    // exact replay are both dropped.
    const ok = kc.message('execute_request', { code: '(globalThis as any).__count = ((globalThis as any).__count ?? 0) + 1', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const frames = encode(kc.signer, ok);
    const first = kc.expectReply(ok.header.msg_id, 5000);
    await kc.sendRaw('shell', frames);
    const firstReply = await first;
    assert.equal(firstReply.content.status, 'ok', JSON.stringify(firstReply.content));
    const altered = [...frames.slice(0, 5), Buffer.from(JSON.stringify({ ...ok.content, code: '(globalThis as any).__probe = "altered"' }))];
    const alteredReply = kc.expectReply(ok.header.msg_id, 1500).then(() => 'replied', () => 'no reply');
    await kc.sendRaw('shell', altered);
    assert.equal(await alteredReply, 'no reply');
    const replayReply = kc.expectReply(ok.header.msg_id, 1500).then(() => 'replied', () => 'no reply');
    await kc.sendRaw('shell', frames);
    assert.equal(await replayReply, 'no reply');

    assert.equal(await probe(), "'unset'");
    assert.equal(textOf((await kc.execute('(globalThis as any).__count')).outputs), '1');
    assert.match(kernelLog, /dropped a message on shell: bad signature/);
    assert.match(kernelLog, /dropped a message on shell: missing signature/);
    assert.match(kernelLog, /dropped a message on shell: replayed signature/);
  });

  test('200 failing cells of three kinds, then 1+1 still answers 2', async () => {
    const kinds = ['let = ;', 'throw new Error("thrown " + 1)', 'await Promise.reject(new RangeError("rejected"))'];
    const enames = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { reply, outputs } = await kc.execute(kinds[i % 3], { timeoutMs: 20_000 });
      assert.equal(reply.content.status, 'error', `cell ${i}`);
      assert.equal(outputs.filter((o) => o.header.msg_type === 'error').length, 1);
      enames.add(String(reply.content.ename));
    }
    assert.deepEqual([...enames].sort(), ['Error', 'RangeError', 'TSError']);
    const { reply, outputs } = await kc.execute('1+1');
    assert.equal(reply.content.status, 'ok');
    assert.equal(textOf(outputs), '2');
  });

  test('a request right after a failed cell is executed, not aborted', async () => {
    const a = await kc.execute('throw new Error("first")');
    assert.equal(a.reply.content.status, 'error');
    const b = await kc.execute('"second"');
    assert.equal(b.reply.content.status, 'ok');
    assert.equal(textOf(b.outputs), "'second'");
  });

  test('declaration files rewritten while cells run (a library rebuild) do not break compilation', async () => {
    // tslab's compiler watches every declaration file a cell imported; a change used to leave it
    // throwing "Unexpected pending rebuildTimer" for every later cell.
    const watched = path.join(ROOT, 'dist', 'kernel', 'prelude.d.ts');
    const timer = setInterval(() => { const t = new Date(); fs.utimesSync(watched, t, t); }, 50);
    try {
      for (let i = 0; i < 30; i++) {
        const { reply, outputs } = await kc.execute(i % 2 ? `${i} * 2` : 'let = ;');
        if (i % 2) assert.equal(textOf(outputs), String(i * 2), JSON.stringify(reply.content));
        else assert.equal(reply.content.ename, 'TSError', JSON.stringify(reply.content));
        await sleep(20);
      }
    } finally {
      clearInterval(timer);
    }
  });

  test('tracebacks point at the cell line, in the function that threw', async () => {
    const { reply } = await kc.execute('const k = 2;\n\nfunction bad(n: number) {\n  // why\n  throw new TypeError("bad " + n);\n}\nbad(k)');
    const tb = (reply.content.traceback as string[]).join('\n');
    assert.equal(reply.content.ename, 'TypeError');
    assert.equal(reply.content.evalue, 'bad 2');
    assert.match(tb, /line 5 in bad:\n.*--> 5.*throw new TypeError\("bad " \+ n\);/);
    assert.match(tb, /line 7:\n.*--> 7.* bad\(k\)/);
  });

  test('interrupt (SIGINT) stops an async training-like loop between steps; state stays usable', async () => {
    await kc.execute(`import { throwIfInterrupted } from ${INTERRUPT_MODULE};\nconst state = { steps: 0, w: 1 };`);
    const loop = kc.execute(
      'for (let i = 0; i < 1e7; i++) {\n  throwIfInterrupted();\n  state.w = state.w * 0.999 + 0.001;\n  state.steps++;\n  if (i === 3) console.log("started");\n  await new Promise((r) => setImmediate(r));\n}',
      { timeoutMs: 30_000 },
    );
    await sleep(700);
    await kc.interrupt('signal');
    const { reply, outputs } = await loop;
    assert.equal(reply.content.status, 'error');
    assert.equal(reply.content.ename, 'KeyboardInterrupt');
    assert.ok(outputs.some((o) => o.header.msg_type === 'stream' && String(o.content.text).includes('started')));
    const after1 = await kc.execute('[state.steps > 0, Number.isFinite(state.w)]');
    assert.equal(textOf(after1.outputs), '[ true, true ]');
    // The flag is cleared for the next cell, so a new loop runs to its end.
    const again = await kc.execute('for (let i = 0; i < 5; i++) { throwIfInterrupted(); state.steps++; await new Promise((r) => setImmediate(r)); }\n"done"');
    assert.equal(textOf(again.outputs), "'done'");
  });

  test('interrupt_request on control stops a progress() loop; a loop that never checks is abandoned after the grace period', async () => {
    const withProgress = kc.execute('const bar = progress({ total: 1e6, label: "train" });\nfor (let s = 1; s <= 1e6; s++) { bar.update(s); await new Promise((r) => setTimeout(r, 1)); }', { timeoutMs: 30_000 });
    await sleep(500);
    await kc.interrupt('message');
    const r1 = await withProgress;
    assert.equal(r1.reply.content.ename, 'KeyboardInterrupt');
    assert.ok(r1.outputs.some((o) => o.header.msg_type === 'display_data'));

    const deaf = kc.execute('await new Promise((r) => setTimeout(r, 60_000)); "late"', { timeoutMs: 30_000 });
    await sleep(300);
    await kc.interrupt('message');
    const r2 = await deaf;
    assert.equal(r2.reply.content.ename, 'KeyboardInterrupt');
    assert.match(String(r2.reply.content.evalue), /abandoned/);
    assert.equal(textOf((await kc.execute('1+1')).outputs), '2');
  });

  test('SIGINT breaks a synchronous busy loop at the top level of a cell', async () => {
    const busy = kc.execute('let spins = 0;\nwhile (true) { spins++; }', { timeoutMs: 30_000 });
    await sleep(800);
    await kc.interrupt('signal');
    const r = await busy;
    assert.equal(r.reply.content.ename, 'KeyboardInterrupt', JSON.stringify(r.reply.content));
    assert.equal(textOf((await kc.execute('1+1')).outputs), '2');
  });

  test('values display richly: Plotly loads once, tables, tensors, own MIME bundles', async () => {
    const fig = '({ data: [{ type: "scatter", y: [1, 3, 2] }], layout: { title: { text: "loss" } } })';
    const first = await kc.execute(fig);
    const second = await kc.execute(fig);
    const b1 = first.outputs.find((o) => o.header.msg_type === 'execute_result')!.content.data as Record<string, unknown>;
    const b2 = second.outputs.find((o) => o.header.msg_type === 'execute_result')!.content.data as Record<string, unknown>;
    assert.deepEqual(Object.keys(b1).sort(), ['application/vnd.plotly.v1+json', 'text/html', 'text/plain']);
    assert.equal(b1['text/plain'], 'Plotly figure "loss": 1 trace (scatter)');
    // The first figure carries plotly.js (about 4.8 MB) inline; later ones only draw.
    assert.ok(String(b1['text/html']).length > 1_000_000);
    assert.ok(String(b2['text/html']).length < 5_000);
    assert.ok(!/<script[^>]*\bsrc=/.test(String(b1['text/html'])), 'plotly.js must be inline, not loaded from a URL');

    const table = await kc.execute('aq.table({ step: [1, 2, 3], loss: [0.9, 0.5, 0.25] })');
    const tb = table.outputs.find((o) => o.header.msg_type === 'execute_result')!.content.data as Record<string, string>;
    assert.match(tb['text/html'], /<table>.*<th[^>]*>step<\/th>.*3 rows × 2 columns/s);
    assert.equal(tb['text/plain'], 'step  loss\n----  ----\n1     0.9\n2     0.5\n3     0.25\n3 rows × 2 columns');

    const tensor = await kc.execute('import * as tf from "@tensorflow/tfjs-core";\ntf.tensor2d([[1, 2], [3, 4]])');
    assert.match(textOf(tensor.outputs), /^Tensor float32 \[2, 2\]  min 1  max 4  mean 2\.5  std 1\.118\n/);

    const own = await kc.execute('({ [Symbol.for("jupyter.mimebundle")]() { return { "text/markdown": "**own**" }; } })');
    const ob = own.outputs.find((o) => o.header.msg_type === 'execute_result')!.content.data as Record<string, string>;
    assert.equal(ob['text/markdown'], '**own**');
  });

  test('progress updates one display in place with update_display_data', async () => {
    const { outputs } = await kc.execute('const p = progress({ total: 4, label: "epochs", every: 0 });\nfor (let s = 1; s <= 4; s++) p.update(s, `loss ${1 / s}`);\np.done("ok")');
    const shown = outputs.filter((o) => o.header.msg_type === 'display_data');
    const updates = outputs.filter((o) => o.header.msg_type === 'update_display_data');
    assert.equal(shown.length, 1);
    assert.equal(updates.length, 5);
    const id = (shown[0].content.transient as { display_id: string }).display_id;
    assert.ok(updates.every((u) => (u.content.transient as { display_id: string }).display_id === id));
    assert.match(String((updates[4].content.data as Record<string, string>)['text/plain']), /^epochs \[#{30}\] 4\/4 .* ok$/);
    // The bar is not echoed as the cell's result.
    assert.equal(outputs.filter((o) => o.header.msg_type === 'execute_result').length, 0);
  });

  test('history keeps this session: tail, range and search', async () => {
    await kc.execute('"history-marker-1"');
    await kc.execute('"history-marker-2"');
    const tail = await kc.request('shell', 'history_request', { output: true, raw: true, hist_access_type: 'tail', n: 2 });
    const h = tail.content.history as [number, number, [string, string]][];
    assert.deepEqual(h.map((e) => e[2]), [['"history-marker-1"', "'history-marker-1'"], ['"history-marker-2"', "'history-marker-2'"]]);
    const [session, line] = h[1];
    const range = await kc.request('shell', 'history_request', { output: false, raw: true, hist_access_type: 'range', session, start: line, stop: line + 1 });
    assert.deepEqual(range.content.history, [[session, line, '"history-marker-2"']]);
    const search = await kc.request('shell', 'history_request', { output: false, raw: true, hist_access_type: 'search', pattern: '*marker-?*', unique: true });
    assert.equal((search.content.history as unknown[]).length, 2);
  });
});
