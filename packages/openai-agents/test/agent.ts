import { Agent, Runner, tool } from '@openai/agents-core';
import { ScriptedModel, assistantMessage, functionCall } from '@openai/agents-core/testing';

const echoArgs = {
  type: 'object' as const,
  properties: { n: { type: 'number' } },
  required: ['n'],
  additionalProperties: false as const,
};

/**
 * An agent whose scripted model calls the `echo` tool once and then answers, for
 * `runs` runs. `toolGate` (if given) is awaited inside the tool: tests use it to
 * hold a run in the middle.
 */
export function echoAgent(label: string, runs: number, toolGate?: () => Promise<void>) {
  const steps = [];
  for (let i = 0; i < runs; i++) {
    steps.push([functionCall('echo', { n: i }, { callId: `${label}-call-${i}` })]);
    steps.push([assistantMessage(`${label} answer ${i}`)]);
  }
  const model = new ScriptedModel(steps);
  const echo = tool({
    name: 'echo',
    description: 'Echoes n',
    parameters: echoArgs,
    strict: true,
    execute: async (input) => {
      await toolGate?.();
      return `echo ${(input as { n: number }).n}`;
    },
  });
  const agent = new Agent({ name: `agent-${label}`, model, tools: [echo] });
  return { agent, model, runner: new Runner({ tracingDisabled: true }) };
}
