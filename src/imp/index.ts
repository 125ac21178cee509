/**
 * IMP Lab: the library. Data flow: data -> embed -> encoder (+ moe) -> heads -> losses ->
 * train (agd, optimizer) -> eval -> frames.
 */
export * from './core';
export * from './data/types';
export * from './backend';
export * from './embed';
export * from './encoder';
export * from './moe';
export * from './heads';
export * from './losses';
export * from './model';
export * from './train';
export * from './configs';
export * as frames from './frames';
export * as data from './data/index';
export { requestInterrupt, clearInterrupt, interruptRequested, throwIfInterrupted } from './core/interrupt';
export * from './eval';
