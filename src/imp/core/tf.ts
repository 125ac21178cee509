// tfjs-core's CommonJS bundle (what Node loads) registers neither the gradients nor the chained
// tensor methods (x.add(y)); the union package's bundle registers both on the shared global
// registries. Every module that differentiates or chains imports this first.
import '@tensorflow/tfjs';
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

// The cpu backend (and the native backend built on it) prints a banner recommending tfjs-node on
// its first write, into every notebook output and CLI run. tfjs-node cannot install here and the
// native backend is the fast path, so the banner is wrong advice: keep `firstUse` false.
Object.defineProperty(MathBackendCPU.prototype, 'firstUse', { get: () => false, set: () => undefined, configurable: true });
