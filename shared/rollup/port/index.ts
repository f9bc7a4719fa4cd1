// The port: the narrow view of ADT the roll-up engine reads and writes through (fakes implement it
// in tests), its one implementation over the gateway, and the model hierarchy read through it.
export * from './gatewayPort';
export * from './models';
export * from './rollupPort';
