import type { AgentInputItem } from '@openai/agents-core';

/** Every byte value once: binary content must come back bit for bit. */
export const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

/**
 * A history that uses the item shapes a run produces, plus the awkward values a
 * session must keep exactly: binary data, unicode, empty strings and arrays,
 * nested provider data, an `undefined` property, numbers JSON cannot hold, and
 * objects whose keys look like an encoder's tags.
 */
export function sampleItems(): AgentInputItem[] {
  return [
    { type: 'message', role: 'user', content: 'Weather in Paris? ü 😀 "quoted" \\ back\nslash' },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: '' },
        { type: 'input_image', image: 'https://example.com/cat.png', detail: 'low' },
        { type: 'input_file', file: { id: 'file-1' }, filename: 'report.pdf' },
      ],
    },
    {
      type: 'function_call',
      name: 'get_weather',
      callId: 'call_1',
      status: 'completed',
      arguments: '{"city":"Paris"}',
      providerData: { nested: { deep: [1, 2.5, null, true, { x: [] }] }, $bytes: 'not a tag', $object: {} },
    },
    {
      type: 'function_call_result',
      name: 'get_weather',
      callId: 'call_1',
      status: 'completed',
      output: { type: 'image', image: { data: ALL_BYTES, mediaType: 'image/png' } },
    },
    {
      type: 'reasoning',
      id: 'rs_1',
      content: [{ type: 'input_text', text: 'thinking…' }],
      providerData: { encrypted: 'abc', weird: { $undefined: 1 }, scores: [Number.NaN, -0, Number.POSITIVE_INFINITY] },
    },
    {
      type: 'message',
      role: 'assistant',
      status: 'completed',
      id: 'msg_1',
      providerData: { note: undefined },
      content: [{ type: 'output_text', text: 'It is sunny in Paris.' }],
    },
    { type: 'message', role: 'system', content: '{not json} * ? [x] : %41' },
  ] as AgentInputItem[];
}

/** A small user message numbered `i` (for order and window checks). */
export function userItem(i: number | string): AgentInputItem {
  return { type: 'message', role: 'user', content: `message ${i}` };
}
