// tfjs-core's CommonJS bundle (what Node loads) registers neither the gradients nor the chained
// tensor methods (x.add(y)); the union package's bundle registers both on the shared global
// registries. Every module that differentiates or chains imports this first.
import '@tensorflow/tfjs';
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
