import { AtomicOperations, HandoffConflictError, HandoffInProgressError } from '@x/atomic-ops';

const ops = new AtomicOperations(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { prefix: 'example-handoff' });
try {
  const sessionId = 'ticket-1001';
  await ops.deleteSession(sessionId);

  // Lock, agent check, current agent, agents used, context, history: one atomic call.
  const { token } = await ops.handoff({
    sessionId,
    fromAgent: 'triage',
    toAgent: 'billing',
    context: { reason: 'refund', orderId: 'A-17' },
    lockTtlMs: 10_000,
  });

  try {
    await ops.handoff({ sessionId, fromAgent: 'billing', toAgent: 'refunds' });
  } catch (err) {
    if (err instanceof HandoffInProgressError) console.log(`busy: retry in <= ${err.retryAfterMs} ms`);
  }
  console.log(`released with a wrong token: ${await ops.releaseHandoffLock(sessionId, 'not-mine')}`);
  console.log(`released with ours: ${await ops.releaseHandoffLock(sessionId, token)}`);

  try {
    await ops.handoff({ sessionId, fromAgent: 'triage', toAgent: 'sales' }); // triage no longer holds it
  } catch (err) {
    if (err instanceof HandoffConflictError) console.log(`conflict: held by ${err.currentAgent}`);
  }

  const s = await ops.getSession(sessionId);
  console.log(`current: ${s?.currentAgent}, used: ${s?.agentsUsed.join(', ')}, context: ${JSON.stringify(s?.handoffContext)}`);
  const history = await ops.getHandoffHistory(sessionId);
  console.log(`history: ${history.map((h) => `${h.from} -> ${h.to}`).join('; ')}`);
} finally {
  await ops.close();
}
