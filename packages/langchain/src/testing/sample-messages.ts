import {
  AIMessage,
  ChatMessage,
  FunctionMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  type BaseMessage,
} from '@langchain/core/messages';

/**
 * One message of every kind LangChain stores, with the fields a store must keep:
 * content blocks, tool calls (valid and invalid), usage and response metadata,
 * additional kwargs, ids, names, a tool artifact, unicode and JSON-looking text.
 */
export function sampleMessages(): BaseMessage[] {
  return [
    new SystemMessage('You are a weather bot. {not a template} * ? [x] : %41'),
    new HumanMessage({
      content: [
        { type: 'text', text: 'Weather in Paris? ü 😀 "quoted" \\ back\nslash' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ],
      id: 'human-1',
      additional_kwargs: { client: { locale: 'fr-FR', flags: [true, false, null] } },
    }),
    new AIMessage({
      content: '',
      id: 'ai-1',
      name: 'weather-bot',
      tool_calls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Paris', days: [1, 2] }, type: 'tool_call' }],
      invalid_tool_calls: [{ id: 'call_2', name: 'get_weather', args: '{"city":', error: 'truncated JSON', type: 'invalid_tool_call' }],
      usage_metadata: { input_tokens: 12, output_tokens: 7, total_tokens: 19 },
      response_metadata: { model_name: 'fake-model', finish_reason: 'tool_calls', logprobs: null },
      additional_kwargs: { refusal: null, nested: { deep: [{ x: 1.5 }] } },
    }),
    new ToolMessage({
      content: 'Paris: sunny, 24°C',
      tool_call_id: 'call_1',
      name: 'get_weather',
      artifact: { raw: { temperature: 24, unit: 'C' } },
      status: 'success',
    }),
    new AIMessage({ content: 'It is sunny in Paris.', response_metadata: { finish_reason: 'stop' } }),
    new ChatMessage({ content: 'Looks right.', role: 'critic' }),
    new FunctionMessage({ content: '{"ok":true}', name: 'legacy_function' }),
  ];
}

/** A numbered human message (for order and window checks). */
export function humanMessage(i: number | string): HumanMessage {
  return new HumanMessage(`message ${i}`);
}

/** What a message is, for comparing: its class and LangChain's stored form of it. */
export function describeMessage(message: BaseMessage): { kind: string; stored: unknown } {
  return { kind: message.constructor.name, stored: JSON.parse(JSON.stringify(message.toDict())) };
}
