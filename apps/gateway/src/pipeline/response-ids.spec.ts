import { type McpCall } from '#portico/policy-engine';
import { ResponseIdMap } from './response-ids.js';

const call = (id: string | number, method = 'tools/call'): McpCall => ({
  kind: 'request',
  method,
  id,
  target: undefined,
  arguments: undefined,
});

describe('ResponseIdMap', () => {
  it('finds a call by API, session and id once', () => {
    const map = new ResponseIdMap(10);
    map.remember('api', 's1', call(1));
    expect(map.take('api', 's2', 1)).toBeUndefined();
    expect(map.take('other', 's1', 1)).toBeUndefined();
    expect(map.take('api', 's1', '1')).toBeUndefined(); // "1" is not 1
    expect(map.take('api', 's1', 1)?.method).toBe('tools/call');
    expect(map.take('api', 's1', 1)).toBeUndefined();
  });

  it('forgets the oldest entries beyond its limit', () => {
    const map = new ResponseIdMap(2);
    for (const id of [1, 2, 3]) map.remember('api', 's', call(id));
    expect(map.size).toBe(2);
    expect(map.take('api', 's', 1)).toBeUndefined();
    expect(map.take('api', 's', 3)).toBeDefined();
  });

  it('ignores notifications', () => {
    const map = new ResponseIdMap(2);
    map.remember('api', 's', { ...call(1), kind: 'notification', id: undefined });
    expect(map.size).toBe(0);
  });
});
