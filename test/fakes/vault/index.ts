export * from './fake-vault';
export { TransitEngine, decodeGoBase64 } from './transit-engine';
export type { TransitKey, TransitKeyType, TransitKeyVersion } from './transit-engine';
