export * from './routing';
export * from './record';
export * from './moe_layer';
