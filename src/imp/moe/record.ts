import { RouterName } from '../model/config';

/**
 * What one MoE layer did in one forward pass, as plain host data (STYLE.md: routing statistics
 * are returned data, never side effects). Token arrays are indexed by the flat token index of
 * the layer input [B, K] (b * K + k).
 */
export interface RoutingRecord {
  layer: number;
  router: RouterName;
  numExperts: number;
  groups: number;
  groupSize: number;
  capacity: number;
  /** Slots filled per expert, summed over groups. [E] */
  expertTokens: Int32Array;
  /** Router probability summed over the tokens each expert took. [E] */
  expertWeight: Float32Array;
  /** Router probability mass per expert over all real tokens (what the router wanted). [E] */
  expertProb: Float32Array;
  /** Combine weight of each (token, expert), 0 where the expert did not take the token. [T * E] */
  tokenWeights: Float32Array;
  /** Expert with the largest combine weight per token, -1 if no expert took it. [T] */
  tokenTopExpert: Int32Array;
  /** Real tokens that no expert processed (they pass through on the residual only). */
  droppedTokens: number;
  /** Token choice: (token, choice) assignments refused by a full expert. */
  droppedAssignments: number;
  /** Real (non-padding) tokens routed. */
  realTokens: number;
  /** Mean entropy (nats) of the router distribution over real tokens. */
  routerEntropy: number;
  zLoss: number;
  balanceLoss: number;
}
