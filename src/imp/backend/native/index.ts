export { NativeBackend, NATIVE_BACKEND, nativeKernelConfigs, nativeKernelNames, registerNativeBackend } from './backend';
export { addonError, defaultThreads, loadAddon } from './addon';
export type { NativeAddon } from './addon';
export { GELU_TANH, GELU_TANH_GRAD } from './kernels/gelu';
