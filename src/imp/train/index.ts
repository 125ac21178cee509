export * from './tasks';
export * from './samplers';
export * from './schedule';
export * from './optimizer';
export * from './objective';
export * from './checkpoint';
export * from './trainer';
export { smokeSource } from './smoke_source';
