import type { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import type { BaseMessage } from '@langchain/core/messages';
import type { TestRunner } from './runner.js';
import { describeMessage, humanMessage, sampleMessages } from './sample-messages.js';

/** What a chat message history implementation provides to {@link runChatHistoryConformance}. */
export interface ChatHistoryConformanceTarget {
  /** Shown in test names, e.g. `RedisChatMessageHistory standalone`. */
  name: string;
  /** A new, empty history of a fresh conversation. */
  createHistory(): Promise<BaseListChatMessageHistory> | BaseListChatMessageHistory;
  /**
   * Whether one `addMessages` call is atomic: concurrent batches never interleave
   * (the in-memory history adds one message at a time, so it is not). Its case runs only then.
   */
  atomicAddMessages: boolean;
  /** Releases what `createHistory` opened (called once, after every case). */
  dispose?: () => Promise<void> | void;
}

/** How many cases {@link runChatHistoryConformance} registers (`atomic` only with `atomicAddMessages`). */
export const CHAT_HISTORY_CONFORMANCE_CASES = { history: 10, atomic: 1 } as const;

const described = (messages: BaseMessage[]) => messages.map(describeMessage);

/**
 * The behaviour of LangChain's `BaseListChatMessageHistory`, taken from its
 * in-memory reference (`InMemoryChatMessageHistory`), as test cases registered
 * on the given runner. Messages are compared by class and stored form
 * (`toDict()`), so tool calls, additional kwargs and response metadata must
 * survive. Run it against `InMemoryChatMessageHistory` too: it must pass.
 */
export function runChatHistoryConformance(t: TestRunner, target: ChatHistoryConformanceTarget): void {
  const { describe, it, expect, afterAll } = t;
  const opened: BaseListChatMessageHistory[] = [];
  const fresh = async () => {
    const history = await target.createHistory();
    opened.push(history);
    return history;
  };

  describe(`chat history conformance: ${target.name}`, () => {
    afterAll(async () => {
      for (const h of opened.splice(0)) await h.clear().catch(() => undefined);
      await target.dispose?.();
    });

    it('starts empty', async () => {
      const h = await fresh();
      expect(await h.getMessages()).toEqual([]);
    });

    it('returns every kind of message exactly, in order: class, content, tool calls, kwargs, metadata', async () => {
      const h = await fresh();
      await h.addMessages(sampleMessages());
      const messages = await h.getMessages();
      expect(described(messages)).toEqual(described(sampleMessages()));
    });

    it('keeps tool calls usable: the AI message still carries them and the tool message its call id', async () => {
      const h = await fresh();
      await h.addMessages(sampleMessages());
      const [, , ai, tool] = await h.getMessages();
      expect((ai as { tool_calls?: unknown[] }).tool_calls).toEqual([
        { id: 'call_1', name: 'get_weather', args: { city: 'Paris', days: [1, 2] }, type: 'tool_call' },
      ]);
      expect((tool as { tool_call_id?: string }).tool_call_id).toBe('call_1');
      expect(ai!.getType()).toBe('ai');
      expect(tool!.getType()).toBe('tool');
    });

    it('addMessage adds one message at the end', async () => {
      const h = await fresh();
      await h.addMessage(humanMessage(1));
      await h.addMessage(humanMessage(2));
      expect(described(await h.getMessages())).toEqual(described([humanMessage(1), humanMessage(2)]));
    });

    it('keeps the order across several calls', async () => {
      const h = await fresh();
      await h.addMessages([humanMessage(1), humanMessage(2)]);
      await h.addMessage(humanMessage(3));
      await h.addMessages([humanMessage(4)]);
      expect(described(await h.getMessages())).toEqual(described([1, 2, 3, 4].map(humanMessage)));
    });

    it('adding no messages changes nothing', async () => {
      const h = await fresh();
      await h.addMessages([]);
      expect(await h.getMessages()).toEqual([]);
      await h.addMessages([humanMessage(1)]);
      await h.addMessages([]);
      expect(described(await h.getMessages())).toEqual(described([humanMessage(1)]));
    });

    it('addUserMessage and addAIMessage store a human and an AI message', async () => {
      const h = await fresh();
      await h.addUserMessage('hello');
      await h.addAIMessage('hi there');
      const messages = await h.getMessages();
      expect(messages.map((m) => [m.getType(), m.content])).toEqual([
        ['human', 'hello'],
        ['ai', 'hi there'],
      ]);
    });

    it('clear removes every message and the history can be used again', async () => {
      const h = await fresh();
      await h.addMessages(sampleMessages());
      await h.clear();
      expect(await h.getMessages()).toEqual([]);
      await h.addMessage(humanMessage('after'));
      expect(described(await h.getMessages())).toEqual(described([humanMessage('after')]));
    });

    it('keeps conversations apart', async () => {
      const a = await fresh();
      const b = await fresh();
      await a.addMessage(humanMessage('a'));
      await b.addMessage(humanMessage('b'));
      expect(described(await a.getMessages())).toEqual(described([humanMessage('a')]));
      await a.clear();
      expect(described(await b.getMessages())).toEqual(described([humanMessage('b')]));
    });

    it('loses no message when writers add at once', async () => {
      const h = await fresh();
      await Promise.all(Array.from({ length: 20 }, (_, i) => h.addMessages([humanMessage(`${i}a`), humanMessage(`${i}b`)])));
      const contents = (await h.getMessages()).map((m) => String(m.content));
      expect(contents).toHaveLength(40);
      expect(new Set(contents).size).toBe(40);
    });

    if (target.atomicAddMessages) {
      it('one addMessages call is atomic: concurrent batches never interleave', async () => {
        const h = await fresh();
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => h.addMessages([0, 1, 2, 3].map((k) => humanMessage(`${i}:${k}`)))),
        );
        const contents = (await h.getMessages()).map((m) => String(m.content));
        expect(contents).toHaveLength(80);
        for (let k = 0; k < 80; k += 4) {
          const batch = contents[k]!.split(':')[0];
          expect(contents.slice(k, k + 4)).toEqual([0, 1, 2, 3].map((j) => `${batch}:${j}`));
        }
      });
    }
  });
}
