import type { SseEvent } from '#portico/mcp-jsonrpc';
import { EventTooLarge, inspectEventStream, type EventStreamInspector } from './event-stream.js';

async function run(chunks: string[], inspector: EventStreamInspector, maxEventBytes = 1024): Promise<string[]> {
  async function* body() {
    for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  }
  const out: string[] = [];
  for await (const piece of inspectEventStream(body(), inspector, maxEventBytes))
    out.push(typeof piece === 'string' ? piece : new TextDecoder().decode(piece));
  return out;
}

describe('inspectEventStream', () => {
  it('emits untouched events as their bytes and replacements where the inspector returns them', async () => {
    const seen: string[] = [];
    const out = await run(['data: a\r\n\r\ndata: b\n', '\nid: 3\ndata: c\n\n'], {
      active: true,
      onEvent(event: SseEvent) {
        seen.push(event.data!);
        return event.data === 'b' ? Promise.resolve('data: B\n\n') : event.raw;
      },
    });
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(out.join('')).toBe('data: a\r\n\r\ndata: B\n\nid: 3\ndata: c\n\n');
  });

  it('passes the rest through raw once the inspector is done, including a half event', async () => {
    let active = true;
    const seen: string[] = [];
    const out = await run([': c\n\ndata: first\n\ndata: sec', 'ond\n\n', 'data: third\n\n'], {
      get active() {
        return active;
      },
      onEvent(event) {
        seen.push(event.data ?? '(comment)');
        if (event.data === 'first') active = false;
        return event.raw;
      },
    });
    expect(seen).toEqual(['(comment)', 'first']);
    expect(out.join('')).toBe(': c\n\ndata: first\n\ndata: second\n\ndata: third\n\n');
    expect(out.slice(-2)).toEqual(['ond\n\n', 'data: third\n\n']); // forwarded chunk by chunk
  });

  it('never parses when the inspector starts inactive, and forwards an unterminated tail at the end', async () => {
    expect(await run(['data: x\n\n', 'data: y'], { active: false, onEvent: () => 'never' })).toEqual(['data: x\n\n', 'data: y']);
    expect((await run(['data: x\n\ndata: tail'], { active: true, onEvent: (e) => e.raw })).join('')).toBe(
      'data: x\n\ndata: tail',
    );
  });

  it('fails with EventTooLarge when an inspected event outgrows the limit, and not once inspection is over', async () => {
    const inspector = { active: true, onEvent: (e: SseEvent) => e.raw };
    const big = `data: ${'x'.repeat(600)}`;
    await expect(run([big, big], inspector, 1024)).rejects.toBeInstanceOf(EventTooLarge);
    // Complete events of any size pass: only the block held unfinished counts.
    expect((await run([`${big}${big}\n\n`], inspector, 1024)).join('')).toBe(`${big}${big}\n\n`);
    expect((await run([big, big], { active: false, onEvent: () => 'never' }, 1024)).join('')).toBe(big + big);
  });
});
