export { commandLine } from './commandLine';
export { onInterrupt } from './interrupt';
export { checkKnownFlags, standardArgv, versionLine } from './standardFlags';
