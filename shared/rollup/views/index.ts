// Views: a parent's children as this instance knows them — links listed or remembered, child
// copies kept current by notification patches — and the reads that fall back to ADT.
export * from './children';
export * from './childView';
export * from './links';
export * from './parentIndex';
export * from './patchCopy';
export * from './viewMaintenance';
