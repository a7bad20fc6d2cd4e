/**
 * Memoised answers about names (tool, prompt and resource names, URIs). Access policies ask the
 * same few questions of the same few names on every call ("does rule 7's pattern cover
 * get_weather?"), and an RE2 match in JavaScript costs microseconds, so each answer is kept: at
 * most LIMIT names per question, names longer than MAX_NAME are not kept, and a full memo starts
 * over (a client cycling through random names cannot grow it).
 */
const LIMIT = 1024;
const MAX_NAME = 256;

/** `answer` memoised per name. */
export function memoized<T>(answer: (name: string) => T): (name: string) => T {
  const known = new Map<string, T>();
  return (name) => {
    const hit = known.get(name);
    if (hit !== undefined || known.has(name)) return hit as T;
    const value = answer(name);
    if (name.length <= MAX_NAME) {
      if (known.size >= LIMIT) known.clear();
      known.set(name, value);
    }
    return value;
  };
}
