import { Agent, MemorySession, Runner, tool, type AgentInputItem, type Session } from '@openai/agents-core';
import { ScriptedModel, assistantMessage, functionCall } from '@openai/agents-core/testing';
import type { TestRunner } from './runner.js';
import type { SessionConformanceTarget, SessionUnderTest } from './session-conformance.js';

/** How many cases {@link runRunConformance} registers. */
export const RUN_CONFORMANCE_CASES = 2;

const noArgs = { type: 'object' as const, properties: {}, required: [] as string[], additionalProperties: false as const };
const cityArgs = {
  type: 'object' as const,
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false as const,
};

/** The agent every session under comparison runs: two tools, an output guardrail, a scripted model. */
function scriptedAgent() {
  const model = new ScriptedModel([
    // run 1: a tool call, then the answer
    [functionCall('get_weather', { city: 'Paris' }, { callId: 'call_weather' })],
    [assistantMessage('It is sunny in Paris.')],
    // run 2: two tool calls in one turn (one returns an image), then the answer
    [
      functionCall('get_weather', { city: 'Tokyo' }, { callId: 'call_tokyo' }),
      functionCall('radar', {}, { callId: 'call_radar' }),
    ],
    [assistantMessage('Rain in Tokyo; here is the radar.')],
    // run 3: a tool call, then an answer the output guardrail blocks
    [functionCall('get_weather', { city: 'Atlantis' }, { callId: 'call_secret' })],
    [assistantMessage('secret: Atlantis is at 31.2N')],
    // run 4: a plain answer
    [assistantMessage('You first asked about the weather in Paris.')],
  ]);
  const getWeather = tool({
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: cityArgs,
    strict: true,
    execute: async (input) => `${(input as { city: string }).city}: ${(input as { city: string }).city === 'Paris' ? 'sunny' : 'rain'}`,
  });
  const radar = tool({
    name: 'radar',
    description: 'The radar image',
    parameters: noArgs,
    strict: true,
    execute: async () => ({ type: 'image', image: { data: Uint8Array.from([137, 80, 78, 71, 0, 255]), mediaType: 'image/png' } }),
  });
  const agent = new Agent({
    name: 'weather',
    instructions: 'Answer weather questions.',
    model,
    tools: [getWeather, radar],
    outputGuardrails: [
      {
        name: 'no-secrets',
        execute: async ({ agentOutput }) => ({ tripwireTriggered: String(agentOutput).includes('secret'), outputInfo: {} }),
      },
    ],
  });
  return { model, agent };
}

const INPUTS: (string | AgentInputItem[])[] = [
  'Weather in Paris?',
  [
    {
      type: 'message',
      role: 'user',
      content: 'And Tokyo? Radar too, please.',
      providerData: { attachment: Uint8Array.from([0, 1, 2, 254, 255]) },
    } as AgentInputItem,
  ],
  'Tell me the secret.',
  'What did I ask first?',
];

/** Counts the history calls a run makes on a session. */
function counting(session: SessionUnderTest) {
  const counts = { reads: 0, writes: 0 };
  const wrapped: SessionUnderTest = {
    getSessionId: () => session.getSessionId(),
    getItems: (limit) => (counts.reads++, session.getItems(limit)),
    addItems: (items) => (counts.writes++, session.addItems(items)),
    popItem: () => (counts.writes++, session.popItem()),
    clearSession: () => (counts.writes++, session.clearSession()),
  };
  if (session.applyHistoryTransaction) {
    wrapped.applyHistoryTransaction = (args) => (counts.writes++, session.applyHistoryTransaction!(args));
  }
  if (session.replaceHistoryWithCompaction) {
    wrapped.replaceHistoryWithCompaction = (items) => (counts.writes++, session.replaceHistoryWithCompaction!(items));
  }
  return { wrapped, counts };
}

/** The SDK's in-memory session, showing exactly the capabilities the target declares. */
function reference(target: SessionConformanceTarget): SessionUnderTest {
  const memory = new MemorySession();
  const ref: Session & Partial<SessionUnderTest> = {
    getSessionId: () => memory.getSessionId(),
    getItems: (limit) => memory.getItems(limit),
    addItems: (items) => memory.addItems(items),
    popItem: () => memory.popItem(),
    clearSession: () => memory.clearSession(),
  };
  if (target.transactions) ref.applyHistoryTransaction = (args) => memory.applyHistoryTransaction(args);
  return ref;
}

async function runAll(session: SessionUnderTest) {
  const { model, agent } = scriptedAgent();
  const runner = new Runner({ tracingDisabled: true });
  const { wrapped, counts } = counting(session);
  const outcomes: unknown[] = [];
  const perRun: { reads: number; writes: number }[] = [];
  for (const input of INPUTS) {
    const before = { ...counts };
    try {
      const result = await runner.run(agent, input, { session: wrapped });
      outcomes.push({ finalOutput: result.finalOutput });
    } catch (err) {
      outcomes.push({ error: (err as Error).name });
    }
    perRun.push({ reads: counts.reads - before.reads, writes: counts.writes - before.writes });
  }
  return { inputs: model.calls.map((c) => c.request.input), outcomes, perRun, items: await session.getItems() };
}

/**
 * Runs a real agent (SDK runner, scripted model, two tools, an output guardrail)
 * through four runs with the session under test and with the SDK's
 * `MemorySession`, and checks that the model receives the same input on every
 * call, that each run reads the history once and writes it once, and that the
 * stored histories end up equal.
 */
export function runRunConformance(t: TestRunner, target: SessionConformanceTarget): void {
  const { describe, it, expect, afterAll } = t;
  const opened: SessionUnderTest[] = [];

  describe(`Session in real agent runs: ${target.name}`, () => {
    afterAll(async () => {
      for (const s of opened.splice(0)) await Promise.resolve(s.clearSession()).catch(() => undefined);
    });

    it('gives the model on every call what the in-memory session gives it (tool calls, binary input, a blocked output)', async () => {
      const session = await target.createSession();
      opened.push(session);
      const expected = await runAll(reference(target));
      const actual = await runAll(session);
      expect(expected.inputs).toHaveLength(7);
      expect(actual.outcomes).toEqual(expected.outcomes);
      expect(actual.inputs).toEqual(expected.inputs);
      expect(actual.items).toEqual(expected.items);
    });

    it('reads the history once and writes it once per run', async () => {
      const session = await target.createSession();
      opened.push(session);
      const { perRun } = await runAll(session);
      const expected = (await runAll(reference(target))).perRun;
      expect(perRun).toEqual(expected);
      for (const run of perRun) expect(run).toEqual({ reads: 1, writes: 1 });
    });
  });
}
