// Twin id templates such as "{deviceId}", "{properties.dtId}" or "{deviceId}-{moduleId}". Variables
// use the source grammar without the leading `$` and are checked when the config loads.

import type { DeviceMessage } from '../message';
import { compileSource, type SourceReader } from './source';

export interface CompiledTemplate {
  text: string;
  variables: string[];
  /**
   * Renders the template; undefined when a variable has no value (a module id on a device message,
   * a missing enrichment). `escape` is applied to each value (queries need quoting).
   */
  render(message: DeviceMessage, escape?: (value: string) => string): string | undefined;
}

type Part = { literal: string } | { variable: string; read: SourceReader };

export function compileTemplate(text: string): CompiledTemplate | string[] {
  const parts: Part[] = [];
  const errors: string[] = [];
  const pattern = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match.index > last) parts.push({ literal: text.slice(last, match.index) });
    last = pattern.lastIndex;
    const token = match[0];
    if (token === '{{' || token === '}}') parts.push({ literal: token[0] as string });
    else if (match[1] === undefined)
      errors.push(`unbalanced "${token}" at character ${match.index + 1}; write {{ or }} for a literal brace`);
    else {
      const name = match[1].trim();
      const source = name === '' ? 'empty variable name' : compileSource(`$${name}`);
      if (typeof source === 'string')
        errors.push(
          `unknown template variable {${name}}; use {deviceId}, {moduleId}, {component}, {modelId}, {messageId}, {properties.<name>}, {system.<name>} or {body.<path>}`,
        );
      else parts.push({ variable: name, read: source.read });
    }
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  if (errors.length > 0) return errors;
  const variables = parts.flatMap((p) => ('variable' in p ? [p.variable] : []));
  return {
    text,
    variables,
    render(message, escape) {
      let out = '';
      for (const part of parts) {
        if ('literal' in part) {
          out += part.literal;
          continue;
        }
        const value = part.read(message);
        if (value === undefined || value === null || value === '' || typeof value === 'object') return undefined;
        const textValue = String(value);
        out += escape ? escape(textValue) : textValue;
      }
      return out;
    },
  };
}
