/**
 * Model configuration: one typed object, sizes expanded from one table (IMP.md "Model"), every
 * field validated before any tensor is allocated.
 */
import { ConfigError } from '../core/errors';
import { MODALITIES, Modality } from '../data/types';

/** Encoder sizes. S/B/L are the paper's (IMP.md); the rest are notebook scale with the same structure. */
export const SIZES = {
  micro: { layers: 2, width: 32, mlpDim: 64, numHeads: 2 },
  mini: { layers: 2, width: 64, mlpDim: 256, numHeads: 2 },
  tiny: { layers: 4, width: 128, mlpDim: 512, numHeads: 4 },
  small: { layers: 6, width: 256, mlpDim: 1024, numHeads: 4 },
  ref: { layers: 6, width: 192, mlpDim: 768, numHeads: 3 }, // the bench reference (DESIGN.md "Performance")
  S: { layers: 12, width: 384, mlpDim: 1536, numHeads: 6 },
  B: { layers: 12, width: 768, mlpDim: 3072, numHeads: 12 },
  L: { layers: 24, width: 1024, mlpDim: 4096, numHeads: 16 },
} as const;
export type SizeName = keyof typeof SIZES;

export const ROUTERS = ['expert-choice', 'token-choice'] as const;
export type RouterName = (typeof ROUTERS)[number];

export interface MoeConfig {
  numExperts: number;
  /** `{ last: N }`: MoE replaces the MLP in the last N layers (release: 6); `{ every: K }`: in every K-th layer (K-1, 2K-1, ...). */
  placement: { last: number } | { every: number };
  router: RouterName;
  /** Expert choice: C = round(capacityFactor * S / E); token choice: C = round(capacityFactor * k * S / E). */
  capacityFactor: number;
  /** Tokens per routing group (release: up to 2048). */
  groupSize: number;
  /** Token choice: experts per token. */
  topK: number;
  /** Token choice: V-MoE batch-priority routing (tokens with the highest top router weight claim capacity first). */
  batchPriority: boolean;
  /** Hidden size of each expert MLP (default: the dense MLP size, so per-token compute is equal). */
  expertMlpDim?: number;
  zLossWeight: number;
  balanceLossWeight: number;
}

export interface ModelConfig {
  size?: SizeName;
  layers: number;
  width: number;
  mlpDim: number;
  /** Attention heads. */
  numHeads: number;
  /** Dense layers get biases (the release uses none). */
  useBias: boolean;
  /** LayerNorm on queries and keys (the release uses it in MoE variants). */
  qkNorm: boolean;
  modalities: Modality[];
  vision: { tubelet: [number, number, number]; channels: number; embedDim: number; posBuckets: [number, number, number] };
  audio: { patch: [number, number]; embedDim: number; posBuckets: [number, number] };
  text: { vocabSize: number; embedDim: number; posBuckets: number };
  moe: MoeConfig | null;
  heads: {
    /** Contrastive pairs as [a, b]; each gets two disjoint heads a->b and b->a. */
    pairs: [Modality, Modality][];
    contrastiveDim: number;
    /** Linear classifiers per dataset: name -> number of classes. */
    classifiers: Record<string, number>;
    /** Initial NCE temperature (0.2 dense, 1.0 MoE in the release). */
    temperatureInit: number;
  };
}

/** Partial config as a notebook or experiment writes it; `size` fills the encoder fields. */
export type ModelConfigInput = Partial<Omit<ModelConfig, 'vision' | 'audio' | 'text' | 'moe' | 'heads'>> & {
  vision?: Partial<ModelConfig['vision']>;
  audio?: Partial<ModelConfig['audio']>;
  text?: Partial<ModelConfig['text']>;
  moe?: Partial<MoeConfig> | null;
  heads?: Partial<ModelConfig['heads']>;
};

export const DEFAULT_MOE: MoeConfig = {
  numExperts: 4,
  placement: { last: 2 },
  router: 'expert-choice',
  capacityFactor: 1.0,
  groupSize: 2048,
  topK: 1,
  batchPriority: false,
  zLossWeight: 0.01,
  balanceLossWeight: 0,
};

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}
function checkInt(field: string, v: unknown, min = 1): number {
  if (!isInt(v, min)) throw new ConfigError(field, v, `an integer >= ${min}`);
  return v;
}
function checkNum(field: string, v: unknown, min: number, minExclusive = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (minExclusive ? v <= min : v < min)) {
    throw new ConfigError(field, v, `a finite number ${minExclusive ? '>' : '>='} ${min}`);
  }
  return v;
}
function checkBool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(field, v, 'true | false');
  return v;
}
function checkTuple(field: string, v: unknown, n: number): number[] {
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => isInt(x, 1))) {
    throw new ConfigError(field, v, `an array of ${n} integers >= 1`);
  }
  return v as number[];
}
export function checkModality(field: string, v: unknown): Modality {
  if (typeof v !== 'string' || !(MODALITIES as readonly string[]).includes(v)) {
    throw new ConfigError(field, v, MODALITIES.map((m) => `"${m}"`).join(' | '));
  }
  return v as Modality;
}
const KNOWN_TOP = new Set(['size', 'layers', 'width', 'mlpDim', 'numHeads', 'useBias', 'qkNorm', 'modalities', 'vision', 'audio', 'text', 'moe', 'heads']);

/**
 * Expands and validates a model config. `size` (default "tiny") fills layers/width/mlpDim/numHeads;
 * explicit fields override it. Throws ConfigError naming the first bad field.
 *
 * @example
 * ```ts
 * const cfg = resolveModelConfig({ size: 'mini', moe: { numExperts: 4, router: 'expert-choice' } });
 * cfg.width; // 64
 * resolveModelConfig({ moe: { router: 'topk' } }); // ConfigError: model.moe.router: got "topk"; allowed: ...
 * ```
 */
export function resolveModelConfig(input: ModelConfigInput = {}): ModelConfig {
  if (input === null || typeof input !== 'object') throw new ConfigError('model', input, 'an object');
  for (const k of Object.keys(input)) {
    if (!KNOWN_TOP.has(k)) throw new ConfigError(`model.${k}`, (input as Record<string, unknown>)[k], `a known field: ${[...KNOWN_TOP].join(', ')}`);
  }
  const sizeName = input.size ?? 'tiny';
  if (!(sizeName in SIZES)) throw new ConfigError('model.size', sizeName, Object.keys(SIZES).map((s) => `"${s}"`).join(' | '));
  const size = SIZES[sizeName];
  const layers = checkInt('model.layers', input.layers ?? size.layers);
  const width = checkInt('model.width', input.width ?? size.width);
  const mlpDim = checkInt('model.mlpDim', input.mlpDim ?? size.mlpDim);
  const numHeads = checkInt('model.numHeads', input.numHeads ?? size.numHeads);
  if (width % numHeads !== 0) throw new ConfigError('model.numHeads', numHeads, `a divisor of model.width (${width})`);
  const modalities = input.modalities ?? [...MODALITIES];
  if (!Array.isArray(modalities) || modalities.length === 0) throw new ConfigError('model.modalities', modalities, `a non-empty array of ${MODALITIES.join(', ')}`);
  modalities.forEach((m, i) => checkModality(`model.modalities[${i}]`, m));

  const v = input.vision ?? {};
  const vision = {
    tubelet: checkTuple('model.vision.tubelet', v.tubelet ?? [1, 4, 4], 3) as [number, number, number],
    channels: checkInt('model.vision.channels', v.channels ?? 1),
    embedDim: checkInt('model.vision.embedDim', v.embedDim ?? width),
    posBuckets: checkTuple('model.vision.posBuckets', v.posBuckets ?? [8, 16, 16], 3) as [number, number, number],
  };
  const a = input.audio ?? {};
  const audio = {
    patch: checkTuple('model.audio.patch', a.patch ?? [4, 4], 2) as [number, number],
    embedDim: checkInt('model.audio.embedDim', a.embedDim ?? width),
    posBuckets: checkTuple('model.audio.posBuckets', a.posBuckets ?? [32, 16], 2) as [number, number],
  };
  const t = input.text ?? {};
  const text = {
    vocabSize: checkInt('model.text.vocabSize', t.vocabSize ?? 1024, 2),
    embedDim: checkInt('model.text.embedDim', t.embedDim ?? width),
    posBuckets: checkInt('model.text.posBuckets', t.posBuckets ?? 32),
  };

  let moe: MoeConfig | null = null;
  if (input.moe) {
    const m = { ...DEFAULT_MOE, ...input.moe };
    checkInt('model.moe.numExperts', m.numExperts);
    if (!(ROUTERS as readonly string[]).includes(m.router)) throw new ConfigError('model.moe.router', m.router, ROUTERS.map((r) => `"${r}"`).join(' | '));
    checkNum('model.moe.capacityFactor', m.capacityFactor, 0, true);
    checkInt('model.moe.groupSize', m.groupSize);
    checkInt('model.moe.topK', m.topK);
    if (m.topK > m.numExperts) throw new ConfigError('model.moe.topK', m.topK, `an integer in [1, numExperts=${m.numExperts}]`);
    checkBool('model.moe.batchPriority', m.batchPriority);
    if (m.expertMlpDim !== undefined) checkInt('model.moe.expertMlpDim', m.expertMlpDim);
    checkNum('model.moe.zLossWeight', m.zLossWeight, 0);
    checkNum('model.moe.balanceLossWeight', m.balanceLossWeight, 0);
    const p = m.placement as Record<string, unknown>;
    if (!p || typeof p !== 'object' || (('last' in p) === ('every' in p))) {
      throw new ConfigError('model.moe.placement', m.placement, '{ last: N } (1 <= N <= layers) | { every: K } (1 <= K <= layers)');
    }
    if ('last' in p && (!isInt(p.last, 1) || (p.last as number) > layers)) throw new ConfigError('model.moe.placement.last', p.last, `an integer in [1, layers=${layers}]`);
    if ('every' in p && (!isInt(p.every, 1) || (p.every as number) > layers)) throw new ConfigError('model.moe.placement.every', p.every, `an integer in [1, layers=${layers}]`);
    moe = m;
  }

  const h = input.heads ?? {};
  const pairs = h.pairs ?? defaultPairs(modalities);
  if (!Array.isArray(pairs)) throw new ConfigError('model.heads.pairs', pairs, 'an array of [modality, modality] pairs');
  pairs.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw new ConfigError(`model.heads.pairs[${i}]`, p, 'a [modality, modality] pair');
    checkModality(`model.heads.pairs[${i}][0]`, p[0]);
    checkModality(`model.heads.pairs[${i}][1]`, p[1]);
    if (p[0] === p[1]) throw new ConfigError(`model.heads.pairs[${i}]`, p, 'two different modalities');
    for (const m of p) if (!modalities.includes(m)) throw new ConfigError(`model.heads.pairs[${i}]`, p, `modalities of model.modalities (${modalities.join(', ')})`);
  });
  const classifiers = h.classifiers ?? {};
  for (const [name, k] of Object.entries(classifiers)) checkInt(`model.heads.classifiers.${name}`, k, 2);
  const heads2 = {
    pairs: pairs as [Modality, Modality][],
    contrastiveDim: checkInt('model.heads.contrastiveDim', h.contrastiveDim ?? width),
    classifiers,
    temperatureInit: checkNum('model.heads.temperatureInit', h.temperatureInit ?? (moe ? 1.0 : 0.2), 0, true),
  };

  return {
    size: sizeName,
    layers, width, mlpDim, numHeads,
    useBias: checkBool('model.useBias', input.useBias ?? false),
    qkNorm: checkBool('model.qkNorm', input.qkNorm ?? moe !== null),
    modalities: [...modalities],
    vision, audio, text, moe, heads: heads2,
  };
}

/** Every modality paired with text, plus vision-audio (IMP's pairs), restricted to the model's modalities. */
function defaultPairs(mods: Modality[]): [Modality, Modality][] {
  const all: [Modality, Modality][] = [['image', 'text'], ['video', 'text'], ['audio', 'text'], ['video', 'audio']];
  return all.filter(([a, b]) => mods.includes(a) && mods.includes(b));
}

/** Indices of the layers whose MLP is a Mixture-of-Experts. */
export function moeLayers(cfg: ModelConfig): number[] {
  if (!cfg.moe) return [];
  const p = cfg.moe.placement;
  const out: number[] = [];
  for (let i = 0; i < cfg.layers; i++) {
    if ('last' in p ? i >= cfg.layers - p.last : (i + 1) % p.every === 0) out.push(i);
  }
  return out;
}
