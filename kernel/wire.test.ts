import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ReplayGuard, Signer, decode, encode, newMessage } from './wire';

test('signature is HMAC-SHA256 over header, parent, metadata, content, in hex', () => {
  const signer = new Signer('hmac-sha256', 'k');
  const msg = newMessage('kernel_info_request', {}, { session: 's' });
  const frames = encode(signer, msg);
  assert.equal(frames[0].toString(), '<IDS|MSG>');
  const h = createHmac('sha256', 'k');
  for (const f of frames.slice(2, 6)) h.update(f);
  assert.equal(frames[1].toString(), h.digest('hex'));
});

test('decode accepts a signed message and keeps the routing identities', () => {
  const signer = new Signer('hmac-sha256', 'secret');
  const msg = newMessage('execute_request', { code: '1+1' }, { session: 's', identities: [Buffer.from('peer')] });
  const r = decode(signer, encode(signer, msg));
  assert.ok(r.ok);
  assert.equal(r.message.identities[0].toString(), 'peer');
  assert.equal(r.message.content.code, '1+1');
});

test('decode rejects a wrong, a missing and a differently keyed signature, and altered content', () => {
  const signer = new Signer('hmac-sha256', 'secret');
  const frames = encode(signer, newMessage('execute_request', { code: '1' }, { session: 's' }));
  const wrong = [frames[0], Buffer.from('0'.repeat(64)), ...frames.slice(2)];
  const missing = [frames[0], Buffer.alloc(0), ...frames.slice(2)];
  const altered = [...frames.slice(0, 5), Buffer.from('{"code":"2"}')];
  assert.deepEqual(decode(signer, wrong), { ok: false, reason: 'bad signature' });
  assert.deepEqual(decode(signer, missing), { ok: false, reason: 'missing signature' });
  assert.deepEqual(decode(signer, altered), { ok: false, reason: 'bad signature' });
  assert.deepEqual(decode(new Signer('hmac-sha256', 'other'), frames), { ok: false, reason: 'bad signature' });
  assert.deepEqual(decode(signer, frames.slice(1)), { ok: false, reason: 'no <IDS|MSG> delimiter' });
});

test('an empty key disables signing (spec), an unknown scheme is a ConfigError', () => {
  const none = new Signer('hmac-sha256', '');
  const frames = encode(none, newMessage('x', {}, { session: 's' }));
  assert.equal(frames[1].length, 0);
  assert.ok(decode(none, frames).ok);
  assert.throws(() => new Signer('rot13', 'k'), /signature_scheme: got "rot13"/);
});

test('ReplayGuard admits a signature once and forgets the oldest beyond capacity', () => {
  const g = new ReplayGuard(2);
  assert.equal(g.admit('a'), true);
  assert.equal(g.admit('a'), false);
  g.admit('b');
  g.admit('c'); // evicts 'a'
  assert.equal(g.admit('a'), true);
  assert.equal(g.admit('c'), false);
});
