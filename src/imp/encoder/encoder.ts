/**
 * The shared pre-LN Transformer encoder (IMP.md "Model"). One set of weights serves every
 * modality; each modality is encoded in its own pass. A layer's MLP is either dense or a sparse
 * MoE; MoE layers add their routing record and auxiliary losses to the returned `aux`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dense, gelu, layerNorm } from '../core/ops';
import { DenseParams, NormParams } from '../embed/patches';
import { ModelConfig } from '../model/config';
import { MoeParams, moeMlp } from '../moe/moe_layer';
import { RoutingRecord } from '../moe/record';
import { AttentionParams, selfAttention } from './attention';

export interface MlpParams { w1: DenseParams; w2: DenseParams }

export interface LayerParams {
  ln1: NormParams;
  attn: AttentionParams;
  ln2: NormParams;
  mlp?: MlpParams;
  moe?: MoeParams;
}

export interface EncoderParams {
  layers: LayerParams[];
  lnFinal: NormParams;
}

/** Auxiliary outputs of an encoder pass: data for notebooks plus the losses to add. */
export interface EncoderAux {
  routing: RoutingRecord[];
  zLoss: tf.Scalar;
  balanceLoss: tf.Scalar;
}

export function denseMlp(p: MlpParams, x: tf.Tensor): tf.Tensor {
  return dense(gelu(dense(x, p.w1.w, p.w1.b)), p.w2.w, p.w2.b);
}

/**
 * tokens [B, N, D] -> {x: [B, N, D] after the final LayerNorm, aux}.
 *
 * @example
 * ```ts
 * const { x, aux } = runEncoder(model.params.encoder, model.config, tokens);
 * aux.routing.length; // number of MoE layers
 * ```
 */
export function runEncoder(p: EncoderParams, cfg: ModelConfig, tokens: tf.Tensor3D, mask?: tf.Tensor2D): { x: tf.Tensor3D; aux: EncoderAux } {
  let x = tokens;
  const routing: RoutingRecord[] = [];
  let zLoss: tf.Scalar = tf.scalar(0);
  let balanceLoss: tf.Scalar = tf.scalar(0);
  p.layers.forEach((lp, i) => {
    x = x.add(selfAttention(lp.attn, layerNorm(x, lp.ln1.scale, lp.ln1.bias) as tf.Tensor3D, cfg.numHeads, mask)) as tf.Tensor3D;
    const h = layerNorm(x, lp.ln2.scale, lp.ln2.bias) as tf.Tensor3D;
    if (lp.moe && cfg.moe) {
      const out = moeMlp(lp.moe, cfg.moe, h, i, mask);
      x = x.add(out.y) as tf.Tensor3D;
      routing.push(out.record);
      zLoss = zLoss.add(out.zLoss);
      balanceLoss = balanceLoss.add(out.balanceLoss);
    } else if (lp.mlp) {
      x = x.add(denseMlp(lp.mlp, h)) as tf.Tensor3D;
    }
  });
  x = layerNorm(x, p.lnFinal.scale, p.lnFinal.bias) as tf.Tensor3D;
  return { x, aux: { routing, zLoss, balanceLoss } };
}
