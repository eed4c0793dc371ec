// defineCheck: the identity, for type inference in check files.
import type { CheckDefinition } from './types.ts';

export function defineCheck(def: CheckDefinition): CheckDefinition {
  return def;
}
