/**
 * Memoised answers about names clients send (tool, prompt and resource names, URIs, MCP methods).
 * Access policies ask the same few questions of the same few names on every call ("does rule 7's
 * pattern cover get_weather?"), and an RE2 match in JavaScript costs microseconds; the pipeline
 * asks which policies inspect responses to a method. Each answer is kept: at most `limit` names
 * per question, names longer than MAX_NAME are not kept, and a full memo starts over (a client
 * cycling through random names cannot grow it).
 */
const LIMIT = 1024;
const MAX_NAME = 256;

/** `answer` memoised per name, for at most `limit` names at a time. */
export function memoized<T>(answer: (name: string) => T, limit = LIMIT): (name: string) => T {
  const known = new Map<string, T>();
  return (name) => {
    const hit = known.get(name);
    if (hit !== undefined || known.has(name)) return hit as T;
    const value = answer(name);
    if (name.length <= MAX_NAME) {
      if (known.size >= limit) known.clear();
      known.set(name, value);
    }
    return value;
  };
}
