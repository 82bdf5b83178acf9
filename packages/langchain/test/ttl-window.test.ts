import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import type { ChatPromptValueInterface } from '@langchain/core/prompt_values';
import { RunnableLambda, RunnableWithMessageHistory } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import type { BaseMessage } from '@langchain/core/messages';
import { forEachTopology } from '@x/tooling/vitest';
import type { RedisChatMessageHistory } from '../src/index.js';
import { humanMessage } from '../src/testing.js';
import { historyFactory } from './helpers.js';

async function ttls(h: RedisChatMessageHistory): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, key] of Object.entries(h.operations.keys.session(h.sessionId))) {
    const pttl = await h.operations.redis.command<number>({ command: ['PTTL', key], keys: [key] });
    if (pttl !== -2) out[name] = pttl;
  }
  return out;
}
const contents = (messages: BaseMessage[]) => messages.map((m) => m.content);

forEachTopology(['standalone', 'cluster'], (t) => {
  const factory = historyFactory(t);
  afterAll(() => factory.close());

  describe('ttlMs', () => {
    it('sets and refreshes the TTL on every key of the history with every write', async () => {
      const h = await factory.open({ ttlMs: 60_000 });
      await h.addMessages([humanMessage(1), humanMessage(2)]);
      const after = await ttls(h);
      expect(Object.keys(after).sort()).toEqual(['messages', 'meta']);
      for (const pttl of Object.values(after)) {
        expect(pttl).toBeGreaterThan(50_000);
        expect(pttl).toBeLessThanOrEqual(60_000);
      }
      const { messages } = h.operations.keys.session(h.sessionId);
      await h.operations.redis.command({ command: ['PEXPIRE', messages, 5_000], keys: [messages] });
      await h.addMessage(humanMessage(3));
      expect((await ttls(h)).messages).toBeGreaterThan(50_000);
    });

    it('without ttlMs the keys do not expire', async () => {
      const h = await factory.open();
      await h.addMessage(humanMessage(1));
      for (const pttl of Object.values(await ttls(h))) expect(pttl).toBe(-1);
    });

    it('an expired history reads as empty and starts over', async () => {
      const h = await factory.open({ ttlMs: 150 });
      await h.addMessage(humanMessage(1));
      const deadline = Date.now() + 10_000;
      while ((await h.getMessages()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await h.getMessages()).toEqual([]);
      expect(await ttls(h)).toEqual({});
      await h.addMessage(humanMessage(2));
      expect(contents(await h.getMessages())).toEqual(['message 2']);
    });
  });

  describe('maxMessages', () => {
    it('leaves out tool messages whose AI message the window dropped', async () => {
      const h = await factory.open({ maxMessages: 3 });
      const { AIMessage, ToolMessage } = await import('@langchain/core/messages');
      await h.addMessages([
        humanMessage('q'),
        new AIMessage({ content: '', tool_calls: [{ id: 'c1', name: 'f', args: {} }] }),
        new ToolMessage({ content: 'r1', tool_call_id: 'c1' }),
        new ToolMessage({ content: 'r2', tool_call_id: 'c1' }),
        new AIMessage('done'),
      ]);
      expect(contents(await h.getMessages())).toEqual(['done']);
      await h.addMessages([humanMessage('next')]);
      expect(contents(await h.getMessages())).toEqual(['done', 'message next']);
    });

    it('keeps the last maxMessages messages; one batch larger than the window keeps its tail', async () => {
      const h = await factory.open({ maxMessages: 3 });
      await h.addMessages([1, 2].map(humanMessage));
      await h.addMessages([3, 4].map(humanMessage));
      expect(contents(await h.getMessages())).toEqual(['message 2', 'message 3', 'message 4']);
      await h.addMessages([5, 6, 7, 8].map(humanMessage));
      expect(contents(await h.getMessages())).toEqual(['message 6', 'message 7', 'message 8']);
    });

    it('a windowed history gives the model the last maxMessages of what the in-memory history holds', async () => {
      const h = await factory.open({ maxMessages: 4 });
      const memory = new InMemoryChatMessageHistory();
      const received = { ours: [] as BaseMessage[][], theirs: [] as BaseMessage[][] };
      const chain = (history: RedisChatMessageHistory | InMemoryChatMessageHistory, into: BaseMessage[][]) => {
        const model = new FakeListChatModel({ responses: ['a0', 'a1', 'a2', 'a3'] });
        const recording = RunnableLambda.from(async (prompt: ChatPromptValueInterface) => {
          into.push(prompt.toChatMessages());
          return model.invoke(prompt);
        });
        const prompt = ChatPromptTemplate.fromMessages([new MessagesPlaceholder('history'), new MessagesPlaceholder('input')]);
        return new RunnableWithMessageHistory({
          runnable: prompt.pipe(recording),
          getMessageHistory: () => history,
          inputMessagesKey: 'input',
          historyMessagesKey: 'history',
        });
      };
      const ours = chain(h, received.ours);
      const theirs = chain(memory, received.theirs);
      for (let i = 0; i < 4; i++) {
        await ours.invoke({ input: [humanMessage(`q${i}`)] }, { configurable: { sessionId: 'x' } });
        await theirs.invoke({ input: [humanMessage(`q${i}`)] }, { configurable: { sessionId: 'x' } });
      }
      const full = await memory.getMessages();
      expect(full).toHaveLength(8);
      // (Message ids differ: the fake model gives each run its own.)
      const typed = (messages: BaseMessage[]) => messages.map((m) => [m.getType(), m.content]);
      expect(typed(await h.getMessages())).toEqual(typed(full.slice(-4)));
      expect(typed(await h.getMessages())).toEqual([['human', 'message q2'], ['ai', 'a2'], ['human', 'message q3'], ['ai', 'a3']]);
      // The last turn's model call: the window (4 messages) and the question, where the in-memory one had all 6 before it.
      expect(received.theirs[3]).toHaveLength(7);
      expect(typed(received.ours[3]!)).toEqual(typed(received.theirs[3]!.slice(-5)));
    });
  });
});
