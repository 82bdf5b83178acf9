import { Redis } from 'ioredis';
import { Agent, run, tool } from '@openai/agents';
import { ScriptedModel, assistantMessage, functionCall } from '@openai/agents-core/testing';
import { RedisSession } from '@x/openai-agents';

// A scripted stand-in for the model, so this runs offline and prints the same every time.
// For a real model, set OPENAI_API_KEY and replace the next statement with: const model = 'gpt-5-mini';
const model = new ScriptedModel([
  [functionCall('get_weather', { city: 'Paris' }, { callId: 'call_1' })],
  [assistantMessage('It is sunny in Paris.')],
  [assistantMessage('You asked about the weather in Paris.')],
]);

const getWeather = tool({
  name: 'get_weather',
  description: 'The current weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
  execute: async (input) => `${Object(input).city}: sunny, 24°C`,
});
const agent = new Agent({ name: 'Weather', instructions: 'Answer briefly.', model, tools: [getWeather] });

// The ioredis client your service already has: used as is, never closed for you.
const client = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
try {
  // One client serves every session; the session never closes it.
  const session = new RedisSession(client, { sessionId: `user-42-${Date.now()}`, ttlMs: 86_400_000, maxItems: 200 });

  const first = await run(agent, 'What is the weather in Paris?', { session });
  console.log('first:', first.finalOutput);

  // The second run reads the history from Redis: the model sees the first run's messages and tool call.
  const second = await run(agent, 'What did I just ask?', { session });
  console.log('second:', second.finalOutput);

  const items = await session.getItems();
  console.log('stored:', items.map((item) => item.type).join(', '));
  await session.clearSession();
} finally {
  await client.quit();
}
