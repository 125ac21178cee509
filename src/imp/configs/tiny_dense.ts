/**
 * tiny-dense — the dense twin of tiny-moe (IMP.md claim 3's baseline): identical encoder,
 * tasks, sampler and schedule, but every MLP dense. Expert choice with capacity factor 1.0
 * processes each token once on average, so per-token compute is equal; the MoE model has 4x the
 * MLP parameters in its MoE layers. Expected: higher losses than tiny-moe at equal steps.
 * Runtime: slightly below tiny-moe. Command: `imp-lab train tiny-dense --steps 300`.
 */
import { ExperimentConfig } from './experiment';
import { tinyMoe } from './tiny_moe';

export const tinyDense: ExperimentConfig = {
  ...tinyMoe,
  name: 'tiny-dense',
  description: 'Dense twin of tiny-moe (same tasks, equal per-token compute, no experts)',
  claim: 'IMP.md claim 3 baseline',
  expected: 'higher losses than tiny-moe at equal steps',
  model: { ...tinyMoe.model, moe: null, qkNorm: true },
};
