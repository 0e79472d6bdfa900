export * from './cipher';
export * from './vault.errors';
export * from './local-cipher';
export * from './vault-transit-cipher';
export * from './rewrap';
