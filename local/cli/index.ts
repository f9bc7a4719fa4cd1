export { commandLine } from './commandLine';
export { onInterrupt } from './interrupt';
