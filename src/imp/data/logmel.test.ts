import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DataError } from '../core/errors';
import {
  AUDIO_MEL_BINS, frameCount, hzToMel, logMel, melCentres, melFilterbank, melToHz, resampleFrames, samplesForFrames,
} from './logmel';
import { parseWav, resample } from './wav';

const sine = (f: number, n: number, rate = 16000, amp = 1) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / rate));

function argmax(a: ArrayLike<number>, from = 0, to = a.length): number {
  let best = from;
  for (let i = from; i < to; i++) if (a[i] > a[best]) best = i;
  return best - from;
}

test('mel scale: HTK formula, 1000 Hz = 1000 mel, inverse round-trips', () => {
  assert.ok(Math.abs(hzToMel(1000) - 1000) < 0.1); // 2595 log10(1 + 1000/700) = 999.99
  assert.ok(Math.abs(melToHz(hzToMel(3210)) - 3210) < 1e-6);
  const c = melCentres(40);
  assert.equal(c.length, 40);
  for (let i = 1; i < c.length; i++) assert.ok(c[i] > c[i - 1]);
});

test('filterbank: triangles peak at 1 on their centre bin and are zero far away', () => {
  const fb = melFilterbank(40, 512, 16000);
  const nBins = 257;
  const centres = melCentres(40);
  for (const m of [0, 10, 39]) {
    const row = fb.subarray(m * nBins, (m + 1) * nBins);
    const k = argmax(row);
    // the peak bin is the FFT bin nearest the centre frequency (31.25 Hz per bin)
    assert.ok(Math.abs((k * 16000) / 512 - centres[m]) <= 31.25, `filter ${m}: peak bin ${k}, centre ${centres[m]} Hz`);
    assert.ok(row[k] <= 1 && row[k] > 0.5);
  }
  assert.equal(fb[0 * nBins + 200], 0);
  assert.throws(() => melFilterbank(0), ConfigError);
  assert.throws(() => melFilterbank(40, 512, 16000, 20, 9000), /fmax: got 9000/);
});

test('logMel: a sine peaks in the mel bin whose centre is nearest its frequency, at ~0 dB for full scale', () => {
  const centres = melCentres(AUDIO_MEL_BINS);
  for (const f of [300, 1000, 2500, 6000]) {
    const x = sine(f, 16000);
    const { data, frames, melBins } = logMel(x);
    assert.equal(frames, frameCount(16000)); // (16000 - 512) / 320 + 1 = 49
    assert.equal(frames, 49);
    const expected = argmax(centres.map((c) => -Math.abs(hzToMel(c) - hzToMel(f))));
    const t = 20;
    const got = argmax(data, t * melBins, (t + 1) * melBins);
    assert.ok(Math.abs(got - expected) <= 1, `${f} Hz: peak in bin ${got}, expected ${expected}`);
    // A unit sine has power 1 at its bin; Hann leakage spreads it so the bins sum to 1.5x
    // (sum w^2 / ((sum w)^2 / N) = (3N/8) / (N/4)), and a wide filter collects up to all of it:
    // log10 of the peak filter is in (-1, log10 1.5 = 0.176].
    assert.ok(data[t * melBins + got] <= 0.177 && data[t * melBins + got] > -1, `peak value ${data[t * melBins + got]}`);
  }
  // Silence sits at the floor, log10(1e-8) = -8; halving the amplitude lowers power by log10(4) = 0.602.
  assert.equal(logMel(new Float32Array(1000)).data[0], -8);
  const a = logMel(sine(1000, 4000)).data;
  const b = logMel(sine(1000, 4000, 16000, 0.5)).data;
  const k = argmax(a, 0, 40);
  assert.ok(Math.abs(a[k] - b[k] - Math.log10(4)) < 1e-3);
  assert.equal(samplesForFrames(64), 63 * 320 + 512);
});

test('resample: 22050 -> 16000 keeps a 440 Hz tone at its frequency and amplitude', () => {
  const x = sine(440, 22050, 22050);
  const y = resample(x, 22050, 16000);
  assert.equal(y.length, 16000);
  // compare against the ideal 16 kHz sine away from the edges
  let err = 0;
  for (let i = 100; i < 15900; i++) err = Math.max(err, Math.abs(y[i] - Math.sin((2 * Math.PI * 440 * i) / 16000)));
  assert.ok(err < 0.01, `max error ${err}`);
  assert.equal(resample(x, 16000, 16000), x);
});

test('resampleFrames: same length copies; halving averages neighbours', () => {
  const src = Float32Array.from([0, 10, 2, 12, 4, 14, 6, 16]); // [T=4, F=2]
  const out = new Float32Array(4);
  resampleFrames(src, 4, 2, 2, out, 0);
  // output frame 0 sits at input position 0.5 -> mean of frames 0 and 1
  assert.deepEqual([...out], [1, 11, 5, 15]);
});

test('parseWav: 16-bit PCM mono and stereo, and a non-WAV is a DataError', () => {
  const wav = (channels: number, samples: number[]) => {
    const b = Buffer.alloc(44 + samples.length * 2);
    b.write('RIFF', 0); b.writeUInt32LE(36 + samples.length * 2, 4); b.write('WAVE', 8);
    b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(channels, 22);
    b.writeUInt32LE(8000, 24); b.writeUInt32LE(8000 * 2 * channels, 28); b.writeUInt16LE(2 * channels, 32); b.writeUInt16LE(16, 34);
    b.write('data', 36); b.writeUInt32LE(samples.length * 2, 40);
    samples.forEach((s, i) => b.writeInt16LE(s, 44 + 2 * i));
    return b;
  };
  const m = parseWav(wav(1, [16384, -32768]));
  assert.equal(m.sampleRate, 8000);
  assert.deepEqual([...m.samples], [0.5, -1]);
  assert.deepEqual([...parseWav(wav(2, [16384, 0, -16384, -16384])).samples], [0.25, -0.5]);
  assert.throws(() => parseWav(Buffer.from('hello world!'), 'x.wav'), (e: unknown) => e instanceof DataError && /x\.wav: not a RIFF\/WAVE file/.test(e.message));
});
