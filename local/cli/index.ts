export { commandLine } from './commandLine';
